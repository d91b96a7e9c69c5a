import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { isObject, type JsonObject } from './wire-json.js';

/**
 * The agent's fetcher, reduced to what a test host can reach: absolute paths, `file://` URLs and
 * http(s) on loopback are copied into the sandbox (`output_file` or the basename; `executable`
 * sets +x; the folders of `output_file` are created first, as src/launcher/fetcher.cpp does).
 * Archives are not extracted. Returns the failure message (TASK_FAILED) or undefined.
 */
export async function fetchUris(command: JsonObject, sandbox: string): Promise<string | undefined> {
  const uris = Array.isArray(command.uris) ? command.uris.filter(isObject) : [];
  for (const uri of uris) {
    const value = String(uri.value);
    const target = join(sandbox, typeof uri.output_file === 'string' ? uri.output_file : basename(value.split('?')[0]!));
    try {
      await mkdir(dirname(target), { recursive: true });
      if (isAbsolute(value) || value.startsWith('file://')) {
        await copyFile(value.startsWith('file://') ? new URL(value) : value, target);
      } else if (/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(value)) {
        const res = await fetch(value);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        await writeFile(target, Buffer.from(await res.arrayBuffer()));
      } else {
        throw new Error('only local paths and loopback http(s) URIs are reachable from this agent');
      }
      if (uri.executable === true) await chmod(target, 0o755);
    } catch (e) {
      return `Failed to launch container: Failed to fetch all URIs for container: '${value}': ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return undefined;
}
