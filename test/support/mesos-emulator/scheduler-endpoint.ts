import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, unauthorized } from './auth.js';
import { dispatch } from './call-dispatch.js';
import type { Cluster, MasterIdentity } from './cluster.js';
import { acceptsMediaType, readBody, sendText } from './http-util.js';
import { parseCall } from './parse-call.js';
import { isWellFormedProtobuf } from './protobuf-wire.js';
import { subscribe } from './subscribe.js';
import type { AuthOptions } from './types.js';
import { validateCall } from './validate-call.js';
import type { Json } from './wire-json.js';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';

/** What the endpoint needs from the master that serves it. */
export interface SchedulerEndpointContext {
  readonly cluster: Cluster;
  readonly master: MasterIdentity;
  readonly auth: AuthOptions | undefined;
}

function parseJson(text: string): { ok: true; value: Json } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Redirects to the leader (307, protocol-relative Location) or says there is none (503). */
export function answerNotLeader(cluster: Cluster, req: IncomingMessage, res: ServerResponse): void {
  const leader = cluster.leader;
  if (!leader) return sendText(res, 503, 'No leader elected');
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  sendText(res, 307, '', { Location: `//${leader.hostname}:${leader.port}${path}` });
}

/** `POST /api/v1/scheduler`, checks in the order of `Master::Http::scheduler`. */
export async function handleScheduler(ctx: SchedulerEndpointContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { cluster, master } = ctx;
  const raw = await readBody(req);
  const text = raw.toString('utf8');
  const parsed = parseJson(text);
  if (req.method === 'POST') cluster.recorder.call(parsed.ok ? parsed.value : text, master.port);

  let principal: string | undefined;
  if (ctx.auth) {
    principal = authenticate(req.headers.authorization, ctx.auth);
    if (principal === undefined) {
      const u = unauthorized('mesos-master-scheduler');
      return sendText(res, 401, u.body, u.headers);
    }
  }
  if (cluster.leader !== master) return answerNotLeader(cluster, req, res);
  if (req.method !== 'POST') {
    return sendText(res, 405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: 'POST' });
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return sendText(res, 400, "Expecting 'Content-Type' to be present");
  if (contentType === PROTOBUF_TYPE) {
    if (!isWellFormedProtobuf(raw)) return sendText(res, 400, 'Failed to parse body into Call protobuf');
    return sendText(res, 501, 'This emulated master does not decode application/x-protobuf calls; send application/json');
  }
  if (contentType !== JSON_TYPE) {
    return sendText(res, 415, `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`);
  }
  if (!parsed.ok) return sendText(res, 400, `Failed to parse body into JSON: ${parsed.error}`);
  const converted = parseCall(parsed.value);
  if (!converted.ok) return sendText(res, 400, `Failed to convert JSON into Call protobuf: ${converted.error}`);
  const call = converted.call;
  const invalid = validateCall(call, principal);
  if (invalid !== undefined) return sendText(res, 400, `Failed to validate scheduler::Call: ${invalid}`);

  const streamId = req.headers['mesos-stream-id'];
  if (call.type === 'SUBSCRIBE') {
    const accept = req.headers.accept;
    if (!acceptsMediaType(accept, JSON_TYPE)) {
      if (acceptsMediaType(accept, PROTOBUF_TYPE)) {
        return sendText(res, 501, 'This emulated master does not stream application/x-protobuf events; accept application/json');
      }
      return sendText(res, 406, `Expecting 'Accept' to allow '${JSON_TYPE}' or '${PROTOBUF_TYPE}'`);
    }
    if (streamId !== undefined) return sendText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    return subscribe(cluster, call, res, master, principal);
  }

  const frameworkId = String((call.framework_id as { value: string }).value);
  const framework = cluster.frameworks.get(frameworkId);
  if (!framework) return sendText(res, 400, 'Framework cannot be found');
  if (principal !== framework.principal && ctx.auth) {
    return sendText(
      res,
      400,
      `Authenticated principal '${principal}' does not match principal '${framework.principal ?? ''}' set in \`FrameworkInfo\``,
    );
  }
  if (!framework.connected) return sendText(res, 403, 'Framework is not subscribed');
  if (streamId === undefined) return sendText(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamId !== framework.stream!.streamId) {
    return sendText(
      res,
      400,
      `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${framework.id}`,
    );
  }
  const answer = dispatch(cluster, framework, call);
  sendText(res, answer.status, answer.body ?? '');
}
