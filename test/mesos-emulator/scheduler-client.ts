import { request, type IncomingMessage } from 'node:http';
import type { JsonObject } from '../support/mesos-emulator/index.js';

/** An HTTP answer as a test sees it. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

/** POSTs a call (or any body) to the scheduler endpoint. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/scheduler`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    redirect: 'manual',
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Decodes RecordIO by bytes: `<length>\n<length bytes>` repeated. */
export class RecordIoDecoder {
  #buf = Buffer.alloc(0);
  /** Each record's declared length and its raw bytes, for framing checks. */
  readonly frames: Array<{ length: number; bytes: Buffer }> = [];

  push(chunk: Buffer): JsonObject[] {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const out: JsonObject[] = [];
    for (;;) {
      const nl = this.#buf.indexOf(0x0a);
      if (nl < 0) break;
      const header = this.#buf.subarray(0, nl).toString('ascii');
      if (!/^\d+$/.test(header)) throw new Error(`bad RecordIO length '${header}'`);
      const len = Number(header);
      if (this.#buf.length < nl + 1 + len) break;
      const bytes = this.#buf.subarray(nl + 1, nl + 1 + len);
      this.frames.push({ length: len, bytes });
      this.#buf = this.#buf.subarray(nl + 1 + len);
      out.push(JSON.parse(bytes.toString('utf8')) as JsonObject);
    }
    return out;
  }
}

/** A SUBSCRIBE stream read record by record. */
export class Subscription {
  readonly events: JsonObject[] = [];
  readonly decoder = new RecordIoDecoder();
  #waiters: Array<() => void> = [];
  #ended = false;
  readonly ended: Promise<void>;

  constructor(readonly res: IncomingMessage) {
    this.ended = new Promise((resolve) => {
      const done = (): void => {
        this.#ended = true;
        this.#wake();
        resolve();
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    res.on('data', (chunk: Buffer) => {
      this.events.push(...this.decoder.push(chunk));
      this.#wake();
    });
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  get streamId(): string {
    return String(this.res.headers['mesos-stream-id'] ?? '');
  }

  get frameworkId(): string {
    const sub = this.events.find((e) => e.type === 'SUBSCRIBED')?.subscribed as { framework_id: { value: string } } | undefined;
    if (!sub) throw new Error('no SUBSCRIBED event yet');
    return sub.framework_id.value;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves with the first event (from index `from`) that matches, waiting as long as needed. */
  async next(match: (e: JsonObject) => boolean, { from = 0, timeoutMs = 20_000 } = {}): Promise<JsonObject> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (this.#ended) throw new Error(`stream ended before a matching event; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for an event; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Every event of a type. */
  ofType(type: string): JsonObject[] {
    return this.events.filter((e) => e.type === type);
  }

  close(): void {
    this.res.destroy();
  }
}

/** Sends SUBSCRIBE and returns the open stream (or the error answer, with its body read). */
export function subscribe(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Subscription> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/scheduler`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
      },
      (res) => resolve(new Subscription(res)),
    );
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** A minimal valid SUBSCRIBE body. */
export function subscribeCall(info: JsonObject = {}, extra: JsonObject = {}): JsonObject {
  const id = info.id as JsonObject | undefined;
  return {
    ...(id ? { framework_id: id } : {}),
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { user: 'root', name: 'emulator-test', failover_timeout: 3600, ...info }, ...extra },
  };
}

/** A framework subscribed to a master, with a helper to send calls on its stream id. */
export interface Session {
  readonly sub: Subscription;
  readonly frameworkId: string;
  call(type: string, member?: JsonObject, headers?: Record<string, string>): Promise<Answer>;
}

/** Subscribes and waits for SUBSCRIBED. */
export async function session(url: string, info: JsonObject = {}, extra: JsonObject = {}): Promise<Session> {
  const sub = await subscribe(url, subscribeCall(info, extra));
  await sub.next((e) => e.type === 'SUBSCRIBED');
  const frameworkId = sub.frameworkId;
  return {
    sub,
    frameworkId,
    call: (type, member, headers = {}) =>
      post(
        url,
        {
          framework_id: { value: frameworkId },
          type,
          ...(member ? { [type.toLowerCase()]: member } : {}),
        },
        { 'Mesos-Stream-Id': sub.streamId, ...headers },
      ),
  };
}
