import { open, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, extname, join, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Cluster } from './cluster.js';
import { sendBody, sendJson, sendText } from './http-util.js';

/** Largest read the agent serves at once: 16 pages of 4 KiB. */
export const MAX_READ_BYTES = 16 * 4096;

type Resolved = { ok: true; real: string } | { ok: false; status: number; body: string };

/** Maps a requested path (virtual `/frameworks/<fw>/executors/<ex>/runs/latest/...` or a real one) into a sandbox. */
async function resolve(cluster: Cluster, path: string): Promise<Resolved> {
  const slaves = join(cluster.settings.workDir, 'slaves');
  let candidate: string | undefined;
  const virtual = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/([^/]+)(\/.*)?$/.exec(path.replace(/\/+$/, ''));
  if (virtual) {
    const [, fw, ex, run, rest] = virtual;
    const task = [...cluster.tasks.values(), ...cluster.completedTasks, ...cluster.unreachableTasks.values()].find(
      (t) => t.frameworkId === fw && t.executorId === ex,
    );
    if (task) candidate = join(slaves, task.agentId, 'frameworks', fw!, 'executors', ex!, 'runs', run!, rest ?? '');
  } else if (path.startsWith(slaves + sep)) {
    candidate = path;
  }
  if (!candidate) return { ok: false, status: 404, body: `Failed to find '${path}'` };
  const runDir = /^(.*\/executors\/[^/]+\/runs\/[^/]+)/.exec(candidate.slice(0))?.[1];
  try {
    const real = await realpath(candidate);
    const root = runDir ? await realpath(runDir) : undefined;
    if (!root || (real !== root && !real.startsWith(root + sep))) return { ok: false, status: 404, body: `Failed to find '${path}'` };
    return { ok: true, real };
  } catch {
    return { ok: false, status: 404, body: `Failed to find '${path}'` };
  }
}

function parseIntParam(value: string | null, name: string): number | string | undefined {
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value.trim())) return `Failed to parse ${name}: Failed to convert '${value}' to number`;
  const n = Number(value);
  if (n < -1) return `Negative ${name} provided: ${n}.`;
  return n;
}

function answer(res: ServerResponse, jsonp: string | null, json: string): void {
  if (!jsonp) return sendJson(res, 200, json);
  sendBody(res, 200, Buffer.from(`${jsonp}(${json});`), { 'Content-Type': 'text/javascript' });
}

/** `GET /files/read?path=&offset=&length=`: `{"data":"<bytes as a string>","offset":N}` with Mesos' offset rules. */
export async function handleFilesRead(cluster: Cluster, url: URL, res: ServerResponse): Promise<void> {
  const path = url.searchParams.get('path');
  if (!path) return sendText(res, 400, "Expecting 'path=value' in query.");
  const offset = parseIntParam(url.searchParams.get('offset'), 'offset');
  if (typeof offset === 'string') return sendText(res, 400, offset);
  const length = parseIntParam(url.searchParams.get('length'), 'length');
  if (typeof length === 'string') return sendText(res, 400, length);
  const resolved = await resolve(cluster, path);
  if (!resolved.ok) return sendText(res, resolved.status, resolved.body);
  const info = await stat(resolved.real);
  if (info.isDirectory()) return sendText(res, 400, 'Cannot read a directory.');
  const jsonp = url.searchParams.get('jsonp');
  if (offset === undefined || offset === -1) return answer(res, jsonp, JSON.stringify({ data: '', offset: info.size }));
  if (offset >= info.size) return answer(res, jsonp, JSON.stringify({ data: '', offset }));
  const want = Math.min(length === undefined || length === -1 ? MAX_READ_BYTES : length, MAX_READ_BYTES, info.size - offset);
  const handle = await open(resolved.real, 'r');
  try {
    const buf = Buffer.alloc(want);
    const { bytesRead } = await handle.read(buf, 0, want, offset);
    answer(res, jsonp, JSON.stringify({ data: buf.subarray(0, bytesRead).toString('utf8'), offset }));
  } finally {
    await handle.close();
  }
}

function modeString(s: Stats): string {
  const type = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = type;
  for (let i = 0; i < 9; i++) out += s.mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

const owner = (id: number): string => (id === 0 ? 'root' : String(id));

/** `GET /files/browse?path=`: the directory's entries, sorted by path, keys in alphabetical order. */
export async function handleFilesBrowse(cluster: Cluster, url: URL, res: ServerResponse): Promise<void> {
  const path = url.searchParams.get('path');
  if (!path) return sendText(res, 400, "Expecting 'path=value' in query.");
  const resolved = await resolve(cluster, path);
  if (!resolved.ok) return sendText(res, resolved.status, resolved.body);
  if (!(await stat(resolved.real)).isDirectory()) return answer(res, url.searchParams.get('jsonp'), '[]');
  const base = path.replace(/\/+$/, '');
  const entries = await Promise.all(
    (await readdir(resolved.real)).map(async (name) => {
      const s = await stat(join(resolved.real, name));
      return {
        gid: owner(s.gid),
        mode: modeString(s),
        mtime: Math.floor(s.mtimeMs / 1000),
        nlink: s.nlink,
        path: `${base}/${name}`,
        size: s.size,
        uid: owner(s.uid),
      };
    }),
  );
  entries.sort((a, b) => a.path.localeCompare(b.path));
  answer(res, url.searchParams.get('jsonp'), JSON.stringify(entries));
}

/** A few of libprocess's extension → media type entries (3rdparty/libprocess/src/mime.cpp); others are octet-stream. */
const MIME: Record<string, string> = {
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'application/x-javascript',
  '.xml': 'text/xml',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.zip': 'application/zip',
  '.tar': 'application/x-tar',
  '.bin': 'application/octet-stream',
};

/**
 * `GET /files/download?path=`: the raw bytes as an attachment (FilesProcess::_download,
 * src/files/files.cpp): 404 with no body for an unknown path, 400 for a directory, Content-Type by
 * extension else application/octet-stream.
 */
export async function handleFilesDownload(cluster: Cluster, url: URL, res: ServerResponse): Promise<void> {
  const path = url.searchParams.get('path');
  if (!path) return sendText(res, 400, "Expecting 'path=value' in query.");
  const resolved = await resolve(cluster, path);
  if (!resolved.ok) return sendText(res, resolved.status, resolved.status === 404 ? '' : resolved.body);
  if ((await stat(resolved.real)).isDirectory()) return sendText(res, 400, 'Cannot download a directory.');
  const handle = await open(resolved.real, 'r');
  try {
    const data = await handle.readFile();
    const type = MIME[extname(resolved.real)] ?? 'application/octet-stream';
    sendBody(res, 200, data, { 'Content-Type': type, 'Content-Disposition': `attachment; filename=${basename(resolved.real)}` });
  } finally {
    await handle.close();
  }
}
