import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers with a plain-text body, as libprocess does for errors. */
export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...(buf.length > 0 ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}), 'Content-Length': String(buf.length), ...headers });
  res.end(buf);
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, json: string): void {
  const buf = Buffer.from(json, 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
  res.end(buf);
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
    const [range = '', ...params] = part.trim().split(';').map((s) => s.trim());
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
