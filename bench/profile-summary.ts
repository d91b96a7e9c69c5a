/**
 * Summarises a `node --cpu-prof` profile: the functions with the most self time, and the
 * project functions (src/) with the most total time (self plus callees).
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of the summary: a function, and milliseconds. */
export interface ProfileRow {
  readonly name: string;
  readonly ms: number;
}

const label = (n: ProfileNode) => {
  // node_modules first (a package may have its own src/); the project's code from src/ (tsx) or dist/ (compiled) reads as src/.
  const url = n.callFrame.url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^\/.*?\/(src|dist)\//, 'src/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};

/** Self and total (inclusive) time per function in a profile. */
export function summarizeProfile(profile: Profile): { self: ProfileRow[]; total: ProfileRow[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    all += us;
    self.set(label(node), (self.get(label(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>) => [...m].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { self: rows(self), total: rows(total), totalMs: all / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const n = Number(top);
  console.log(`sampled ${s.totalMs.toFixed(0)} ms\n\nself time:`);
  for (const r of s.self.slice(0, n)) console.log(`  ${r.ms.toFixed(0).padStart(8)} ms  ${r.name}`);
  console.log('\ntotal time, project code:');
  for (const r of s.total.filter((x) => x.name.includes(' src/')).slice(0, n))
    console.log(`  ${r.ms.toFixed(0).padStart(8)} ms  ${r.name}`);
}
