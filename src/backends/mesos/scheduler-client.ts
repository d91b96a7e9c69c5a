import { Agent, Client } from 'undici';
import { MesosCallError, MesosUnauthorizedError } from './errors.js';
import type { MesosCall } from './mesos-types.js';
import type { MasterEndpoint } from './parse-master-url.js';
import { parseLeaderLocation } from './parse-master-url.js';

/** The scheduler endpoint on every master. */
export const SCHEDULER_PATH = '/api/v1/scheduler';

/** PEM material for TLS to masters and agents (from certsDir: mesos.crt, mesos.key, trustedroot.crt). */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/** Transport settings shared by the subscription and the calls of one framework. */
export interface SchedulerHttpOptions {
  /** `Basic base64(principal:secret)`; kept private, never logged. */
  readonly authorization?: string;
  readonly tls?: TlsMaterial;
  /** Deadline of one non-streaming call. */
  readonly callTimeoutMs?: number;
  /** Deadline for the SUBSCRIBE response headers. */
  readonly headersTimeoutMs?: number;
}

/** What one SUBSCRIBE attempt against one master produced. */
export type SubscribeOutcome =
  | { readonly kind: 'stream'; readonly streamId: string; readonly body: AsyncIterable<Uint8Array>; close(): void }
  | { readonly kind: 'redirect'; readonly leader: MasterEndpoint }
  | { readonly kind: 'unavailable'; readonly status: number; readonly message: string };

/** HTTP to a Mesos master over undici: SUBSCRIBE on its own Client, every other call through a separate Agent. */
export class SchedulerHttp {
  readonly scheme: 'http' | 'https';
  private readonly callAgent: Agent;
  private readonly authorization: string | undefined;
  private readonly callTimeoutMs: number;
  private readonly headersTimeoutMs: number;
  private readonly tls: TlsMaterial | undefined;

  constructor(options: SchedulerHttpOptions = {}) {
    this.authorization = options.authorization;
    this.tls = options.tls;
    this.scheme = options.tls ? 'https' : 'http';
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
    this.callAgent = new Agent({
      ...(this.tls ? { connect: { ...this.tls } } : {}),
      headersTimeout: this.callTimeoutMs,
      bodyTimeout: this.callTimeoutMs,
    });
  }

  /** The origin of a master or agent, in this framework's scheme. */
  origin(endpoint: MasterEndpoint): string {
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    return `${this.scheme}://${host}:${endpoint.port}`;
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(this.authorization ? { Authorization: this.authorization } : {}),
      ...extra,
    };
  }

  /** Sends SUBSCRIBE on a dedicated connection; a 200 yields the live RecordIO body and its Mesos-Stream-Id. */
  async subscribe(endpoint: MasterEndpoint, call: MesosCall, signal: AbortSignal): Promise<SubscribeOutcome> {
    const origin = this.origin(endpoint);
    const client = new Client(origin, {
      ...(this.tls ? { connect: { ...this.tls } } : {}),
      bodyTimeout: 0,
      headersTimeout: this.headersTimeoutMs,
    });
    let handedOver = false;
    try {
      const res = await client.request({
        path: SCHEDULER_PATH,
        method: 'POST',
        headers: this.headers({}),
        body: JSON.stringify(call),
        signal,
      });
      if (res.statusCode === 200) {
        const streamId = headerOf(res.headers, 'mesos-stream-id');
        if (!streamId) {
          await res.body.dump();
          throw new MesosCallError(`SUBSCRIBE to ${origin}${SCHEDULER_PATH} answered 200 without a Mesos-Stream-Id header`, 200);
        }
        handedOver = true;
        return { kind: 'stream', streamId, body: res.body, close: () => void client.destroy().catch(() => undefined) };
      }
      const text = await res.body.text().catch(() => '');
      if (res.statusCode === 307) {
        const location = headerOf(res.headers, 'location');
        if (!location) throw new MesosCallError(`SUBSCRIBE to ${origin}${SCHEDULER_PATH} answered 307 without a Location header`, 307);
        return { kind: 'redirect', leader: parseLeaderLocation(location, this.scheme) };
      }
      if (res.statusCode === 401) throw unauthorized(origin);
      if (res.statusCode === 503 || res.statusCode === 429 || res.statusCode >= 500)
        return { kind: 'unavailable', status: res.statusCode, message: text.trim() };
      throw new MesosCallError(`SUBSCRIBE to ${origin}${SCHEDULER_PATH} answered ${res.statusCode}: ${text.trim()}`, res.statusCode);
    } finally {
      if (!handedOver) await client.destroy().catch(() => undefined);
    }
  }

  /** Sends one non-SUBSCRIBE call with the stream id; resolves on 202/200, throws MesosCallError otherwise. */
  async call(endpoint: MasterEndpoint, streamId: string, call: MesosCall, signal?: AbortSignal): Promise<void> {
    const origin = this.origin(endpoint);
    const signals = [AbortSignal.timeout(this.callTimeoutMs), ...(signal ? [signal] : [])];
    const res = await this.callAgent.request({
      origin,
      path: SCHEDULER_PATH,
      method: 'POST',
      headers: this.headers({ 'Mesos-Stream-Id': streamId }),
      body: JSON.stringify(call),
      signal: AbortSignal.any(signals),
    });
    const text = await res.body.text().catch(() => '');
    if (res.statusCode === 202 || res.statusCode === 200) return;
    if (res.statusCode === 401) throw unauthorized(origin);
    throw new MesosCallError(`${call.type} to ${origin}${SCHEDULER_PATH} answered ${res.statusCode}: ${text.trim()}`, res.statusCode);
  }

  /** GETs a JSON document (agent /files/read, master /state) with the framework's TLS and credentials. */
  async getJson(origin: string, pathAndQuery: string, signal?: AbortSignal): Promise<unknown> {
    const res = await this.getOk(origin, pathAndQuery, signal);
    return JSON.parse(await res.body.text()) as unknown;
  }

  /** A GET to an agent or master answered 200, its body not read yet; any other answer is a MesosCallError. */
  private async getOk(origin: string, pathAndQuery: string, signal?: AbortSignal) {
    const signals = [AbortSignal.timeout(this.callTimeoutMs), ...(signal ? [signal] : [])];
    const res = await this.callAgent.request({
      origin,
      path: pathAndQuery,
      method: 'GET',
      headers: this.authorization ? { Authorization: this.authorization } : {},
      signal: AbortSignal.any(signals),
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      throw new MesosCallError(`GET ${origin}${pathAndQuery} answered ${res.statusCode}: ${text.trim().slice(0, 200)}`, res.statusCode);
    }
    return res;
  }

  /** GETs raw bytes from an agent (`/files/download`); refuses bodies over `maxBytes` without reading them all. */
  async getBytes(origin: string, pathAndQuery: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
    const res = await this.getOk(origin, pathAndQuery, signal);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new MesosCallError(`GET ${origin}${pathAndQuery}: the file is larger than ${maxBytes} bytes`, 413);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** Closes the call connections (the subscription closes its own). */
  async close(): Promise<void> {
    await this.callAgent.close().catch(() => undefined);
  }
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function unauthorized(origin: string): MesosUnauthorizedError {
  return new MesosUnauthorizedError(
    `${origin}${SCHEDULER_PATH} answered 401: check spec.mesos.principal and the secret behind spec.mesos.secretRef`,
  );
}
