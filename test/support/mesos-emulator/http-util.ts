import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/** libprocess compresses whole bodies of at least this many bytes when the request accepts gzip. */
export const GZIP_MINIMUM_BODY_LENGTH = 1024;

const gzipAccepted = new WeakSet<ServerResponse>();

/** Notes that a request accepts gzip (`Accept-Encoding` allows it with q > 0), so its large answer is compressed. */
export function noteAcceptEncoding(req: IncomingMessage, res: ServerResponse): void {
  const header = req.headers['accept-encoding'] ?? '';
  const accepted = header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    return (coding === 'gzip' || coding === '*') && q > 0;
  });
  if (accepted) gzipAccepted.add(res);
}

/** Writes a whole (non-streamed) body, gzip-encoded as libprocess does when allowed and large enough. */
export function sendBody(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string>): void {
  if (gzipAccepted.has(res) && body.length >= GZIP_MINIMUM_BODY_LENGTH) {
    const gz = gzipSync(body);
    res.writeHead(status, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': String(gz.length) });
    res.end(gz);
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

/** Answers with a plain-text body, as libprocess does for errors. */
export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const buf = Buffer.from(body, 'utf8');
  sendBody(res, status, buf, { ...(buf.length > 0 ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}), ...headers });
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, json: string): void {
  sendBody(res, status, Buffer.from(json, 'utf8'), { 'Content-Type': 'application/json' });
}

/** Reads a request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Whether an `Accept` header allows a media type (libprocess `acceptsMediaType`: wildcards, q=0 refuses). */
export function acceptsMediaType(accept: string | undefined, mediaType: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [type, subtype] = mediaType.split('/');
  let best: number | undefined;
  let bestSpecificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part
      .trim()
      .split(';')
      .map((s) => s.trim());
    const [t, s] = range.toLowerCase().split('/');
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1;
    if (specificity > bestSpecificity) {
      bestSpecificity = specificity;
      best = Number.isNaN(q) ? 1 : q;
    }
  }
  return best !== undefined && best > 0;
}
