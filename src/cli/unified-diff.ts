/** One line of an edit script: kept, removed from the old text, or added by the new one. */
type Edit = { readonly op: ' ' | '-' | '+'; readonly line: string; readonly oldNo: number; readonly newNo: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The shortest edit script between two line lists (longest common subsequence; manifests are small). */
function editScript(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) out.push({ op: ' ', line: a[i++]!, oldNo: i, newNo: ++j });
    // On a tie the removal comes first, as diff -u prints it.
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push({ op: '-', line: a[i++]!, oldNo: i, newNo: j });
    else out.push({ op: '+', line: b[j++]!, oldNo: i, newNo: j });
  }
  return out;
}

const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);

/**
 * A unified diff (`diff -u` style, `context` lines around each change) of two texts with their
 * labels; empty when they are equal.
 */
export function unifiedDiff(oldText: string, newText: string, oldLabel: string, newLabel: string, context = 3): string {
  const edits = editScript(splitLines(oldText), splitLines(newText));
  const changed = edits.map((e, k) => (e.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  let out = `--- ${oldLabel}\n+++ ${newLabel}\n`;
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - context);
    let to = Math.min(edits.length, changed[k]! + context + 1);
    while (k + 1 < changed.length && changed[k + 1]! - context <= to) to = Math.min(edits.length, changed[++k]! + context + 1);
    k += 1;
    const hunk = edits.slice(from, to);
    const oldCount = hunk.filter((e) => e.op !== '+').length;
    const newCount = hunk.filter((e) => e.op !== '-').length;
    const first = hunk[0]!;
    // A hunk that starts with an addition (removal) starts after the old (new) line before it; an empty range names that line.
    const oldStart = first.op === '+' ? first.oldNo + (oldCount > 0 ? 1 : 0) : first.oldNo;
    const newStart = first.op === '-' ? first.newNo + (newCount > 0 ? 1 : 0) : first.newNo;
    out += `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`;
    out += hunk.map((e) => `${e.op}${e.line}\n`).join('');
  }
  return out;
}
