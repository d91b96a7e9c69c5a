import { dirname } from 'node:path';
import { locatePath } from './locate-path.js';
import { positionOf, type ManifestIssue } from './manifest-issue.js';
import { parsedName, type ParsedManifest, type ParsedScheduleManifest } from './parse-manifest.js';

/** Why a manifest whose metadata.name another file already holds is not run (one wording for validate, apply, get and the controller). */
export function duplicateNameMessage(name: string, holder: string): string {
  return `${name} is already used by ${holder}; names must be unique in the jobs folder`;
}

/** The status message of such a manifest (field path first, as for every other problem). */
export function duplicateNameStatus(name: string, holder: string): string {
  return `metadata.name: ${duplicateNameMessage(name, holder)}`;
}

/** One issue per manifest whose metadata.name another manifest in the same folder already uses. */
export function checkUniqueNames(
  manifests: ReadonlyArray<{ file: string; parsed: ParsedManifest | ParsedScheduleManifest }>,
): ManifestIssue[] {
  const seen = new Map<string, string>();
  const issues: ManifestIssue[] = [];
  for (const { file, parsed } of manifests) {
    const key = `${dirname(file)}\0${parsedName(parsed)}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, file);
      continue;
    }
    const { line, col } = positionOf(parsed.text, locatePath(parsed.doc, ['metadata', 'name'], 'value').offset);
    issues.push({
      file,
      line,
      col,
      path: 'metadata.name',
      message: duplicateNameMessage(parsedName(parsed), first),
    });
  }
  return issues;
}
