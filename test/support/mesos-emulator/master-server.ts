import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Cluster, MasterIdentity } from './cluster.js';
import { handleFilesBrowse, handleFilesDownload, handleFilesRead } from './files-endpoint.js';
import { noteAcceptEncoding, sendJson, sendText } from './http-util.js';
import { answerNotLeader, handleScheduler } from './scheduler-endpoint.js';
import { agentState, masterState, MESOS_VERSION } from './state-endpoint.js';
import type { AuthOptions, TlsOptions } from './types.js';
import { double, stringifyWire, type JsonObject } from './wire-json.js';

/** One emulated master process: an HTTP server on 127.0.0.1 with an ephemeral port. */
export interface MasterServer {
  readonly identity: MasterIdentity;
  readonly server: Server;
}

/** The `MasterInfo` a master advertises in SUBSCRIBED and /state. */
export function masterInfo(id: string, port: number): JsonObject {
  return {
    id,
    ip: 16777343,
    port,
    pid: `master@127.0.0.1:${port}`,
    hostname: '127.0.0.1',
    version: MESOS_VERSION,
    address: { hostname: '127.0.0.1', ip: '127.0.0.1', port },
    capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
  };
}

async function route(
  cluster: Cluster,
  identity: MasterIdentity,
  auth: AuthOptions | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${identity.port}`);
  const path = url.pathname;
  noteAcceptEncoding(req, res);
  if (path === '/api/v1/scheduler' || path === '/master/api/v1/scheduler') {
    return handleScheduler({ cluster, master: identity, auth }, req, res);
  }
  req.resume();
  if (/^\/files\/read(\.json)?$/.test(path)) return handleFilesRead(cluster, url, res);
  if (/^\/files\/browse(\.json)?$/.test(path)) return handleFilesBrowse(cluster, url, res);
  if (/^\/files\/download(\.json)?$/.test(path)) return handleFilesDownload(cluster, url, res);
  if (path === '/slave(1)/state' || path === '/slave(1)/state.json') return sendJson(res, 200, stringifyWire(agentState(cluster)));
  if (path === '/health' || path === '/master/health') return sendText(res, 200, '');
  if (path === '/version' || path === '/master/version') {
    return sendJson(
      res,
      200,
      stringifyWire({
        version: MESOS_VERSION,
        build_date: '2020-11-24 00:00:00',
        build_time: double(1606176000),
        build_user: 'emulator',
        git_tag: MESOS_VERSION,
      }),
    );
  }
  if (/^\/(master\/)?(state|state\.json|redirect)$/.test(path)) {
    if (cluster.leader !== identity) return answerNotLeader(cluster, req, res);
    if (path.endsWith('redirect')) return sendText(res, 307, '', { Location: `//${identity.hostname}:${identity.port}` });
    return sendJson(res, 200, stringifyWire(masterState(cluster, identity)));
  }
  sendText(res, 404, '');
}

/** Starts one master's HTTP server; it serves the scheduler API, /state, and the agents' /files. */
export async function startMasterServer(cluster: Cluster, auth: AuthOptions | undefined, tls?: TlsOptions): Promise<MasterServer> {
  const holder: { identity?: MasterIdentity } = {};
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(cluster, holder.identity!, auth, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  };
  const server: Server = tls
    ? createHttpsServer(
        { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.requestCert === true, rejectUnauthorized: tls.requestCert === true },
        handler,
      )
    : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const id = randomUUID();
  holder.identity = { id, port, hostname: '127.0.0.1', info: masterInfo(id, port) };
  cluster.masters.push(holder.identity);
  return { identity: holder.identity, server };
}
