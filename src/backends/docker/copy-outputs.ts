import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Collected } from '../ports.js';
import { isAbortError, statusCodeOf } from './errors.js';
import { TarExtractError, extractSingleFile } from './extract-tar-file.js';

/**
 * Copies each declared output out of a (stopped) driver container into `<destDir>/<name>`.
 * A missing, non-regular or oversized file becomes an entry with `error`; engine failures throw.
 */
export async function copyOutputs(
  container: Docker.Container,
  outputs: ReadonlyArray<{ name: string; path: string }>,
  destDir: string,
  opts: { maxBytes: number; signal: AbortSignal },
): Promise<Collected['outputs']> {
  if (outputs.length > 0) await mkdir(destDir, { recursive: true });
  const entries: Array<Collected['outputs'][number]> = [];
  for (const o of outputs) {
    const dest = join(destDir, o.name);
    try {
      const stream = await container.getArchive({ path: o.path, abortSignal: opts.signal });
      const { data } = await extractSingleFile(stream as AsyncIterable<Buffer>, opts.maxBytes);
      const tmp = `${dest}.partial`;
      await writeFile(tmp, data);
      await rename(tmp, dest);
      entries.push({ name: o.name, path: dest, bytes: data.length });
    } catch (e) {
      if (isAbortError(e, opts.signal)) throw e;
      if (statusCodeOf(e) === 404) {
        entries.push({
          name: o.name,
          path: dest,
          error: `output ${o.name}: ${o.path} does not exist in the driver container (did the job write it?)`,
        });
      } else if (e instanceof TarExtractError) {
        entries.push({ name: o.name, path: dest, error: `output ${o.name}: ${e.message}` });
      } else {
        throw e;
      }
    }
  }
  return entries;
}
