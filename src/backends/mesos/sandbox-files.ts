import { messageOf } from '../../errors.js';
import { MesosCallError, MesosSandboxError } from './errors.js';
import type { SchedulerHttp } from './scheduler-client.js';

/** Largest chunk the agent returns per /files/read (16 pages of 4 KiB). */
export const FILES_READ_MAX = 65_536;

/** The agent's virtual path of a file in the latest run of a command/Docker task (executor id = task id). */
export function sandboxFilePath(frameworkId: string, taskId: string, relative: string): string {
  return `/frameworks/${frameworkId}/executors/${taskId}/runs/latest/${relative}`;
}

/** One chunk of a sandbox file. */
export interface FileChunk {
  readonly data: string;
  /** Where the next read starts (bytes). */
  readonly nextOffset: number;
}

/**
 * Reads one chunk of `/files/read` at a byte offset. `data` is the file's bytes as a JSON string;
 * a multi-byte character cut at the chunk's end is left for the next read.
 */
export async function readChunk(
  http: SchedulerHttp,
  agentOrigin: string,
  filePath: string,
  offset: number,
  signal?: AbortSignal,
): Promise<FileChunk | 'missing'> {
  const query = `/files/read?path=${encodeURIComponent(filePath)}&offset=${offset}&length=${FILES_READ_MAX}`;
  let body: unknown;
  try {
    body = await http.getJson(agentOrigin, query, signal);
  } catch (e) {
    if (e instanceof MesosCallError && e.status === 404) return 'missing';
    throw new MesosSandboxError(`reading ${filePath} from the agent at ${agentOrigin} failed: ${messageOf(e)}`, { cause: e });
  }
  const data = typeof (body as { data?: unknown }).data === 'string' ? (body as { data: string }).data : '';
  let text = data;
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes >= FILES_READ_MAX - 3 && text.endsWith('\uFFFD')) text = text.replace(/\uFFFD+$/, '');
  return { data: text, nextOffset: offset + Buffer.byteLength(text, 'utf8') };
}

/** Reads a whole sandbox file by paging /files/read; 'missing' when the agent has no such file. */
export async function readWholeFile(
  http: SchedulerHttp,
  agentOrigin: string,
  filePath: string,
  signal?: AbortSignal,
): Promise<string | 'missing'> {
  const parts: string[] = [];
  let offset = 0;
  for (;;) {
    const chunk = await readChunk(http, agentOrigin, filePath, offset, signal);
    if (chunk === 'missing') return offset === 0 ? 'missing' : parts.join('');
    if (chunk.nextOffset === offset) return parts.join('');
    parts.push(chunk.data);
    offset = chunk.nextOffset;
  }
}

/** Largest output copied out of a sandbox (as the Docker backend's default). */
export const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

/**
 * The exact bytes of a sandbox file through the agent's `/files/download` ('missing' on 404).
 * `/files/read` returns text inside JSON and mangles binary data (src/files/files.cpp), so
 * outputs use this; logs keep `/files/read` with offsets for tailing.
 */
export async function downloadFile(
  http: SchedulerHttp,
  agentOrigin: string,
  filePath: string,
  signal?: AbortSignal,
  maxBytes = MAX_DOWNLOAD_BYTES,
): Promise<Buffer | 'missing'> {
  try {
    return await http.getBytes(agentOrigin, `/files/download?path=${encodeURIComponent(filePath)}`, maxBytes, signal);
  } catch (e) {
    if (e instanceof MesosCallError && e.status === 404) return 'missing';
    throw new MesosSandboxError(`downloading ${filePath} from the agent at ${agentOrigin} failed: ${messageOf(e)}`, { cause: e });
  }
}
