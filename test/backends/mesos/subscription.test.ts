import { afterEach, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import type { MesosEvent } from '../../../src/backends/mesos/mesos-types.js';
import { SchedulerHttp } from '../../../src/backends/mesos/scheduler-client.js';
import { Subscription } from '../../../src/backends/mesos/subscription.js';
import { memoryLogger } from './backend-harness.js';

const frameworkInfo = {
  user: 'root',
  name: 'sparkctl-test',
  roles: ['*'],
  capabilities: [{ type: 'MULTI_ROLE' }],
  failover_timeout: 60,
  checkpoint: true,
};

describe('Subscription', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  const master = async (o: Parameters<typeof startMesosMaster>[0] = {}): Promise<MesosMaster> => {
    const m = await startMesosMaster({ heartbeatIntervalSeconds: 0.3, allocationIntervalSeconds: 0.2, ...o });
    closers.push(() => m.close());
    return m;
  };

  it('skips a master that knows no leader (503) and subscribes at the next one; heartbeats arrive; calls carry the stream id', async () => {
    const noLeader = await master({ leader: false });
    const good = await master();
    const http = new SchedulerHttp();
    const events: MesosEvent[] = [];
    let heartbeat!: () => void;
    const beat = new Promise<void>((r) => (heartbeat = r));
    const logger = memoryLogger();
    const sub = new Subscription({
      label: 'test',
      endpoints: [
        { host: '127.0.0.1', port: noLeader.port },
        { host: '127.0.0.1', port: good.port },
      ],
      http,
      logger,
      subscribeCall: () => ({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo } }),
      onSubscribed: () => undefined,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'HEARTBEAT') heartbeat();
      },
      onDisconnected: () => undefined,
    });
    closers.push(async () => {
      await sub.close();
      await http.close();
    });
    const info = await sub.ready(AbortSignal.timeout(20_000));
    expect(info.leader.port).toBe(good.port);
    expect(info.heartbeatIntervalSeconds).toBe(0.3);
    expect(info.streamId).toMatch(/^[0-9a-f-]{36}$/);
    await beat;
    await sub.call({ type: 'RECONCILE', framework_id: { value: info.frameworkId }, reconcile: { tasks: [] } });
    expect(good.calls().map((c) => (c as { type: string }).type)).toEqual(['SUBSCRIBE', 'RECONCILE']);
    expect(noLeader.calls().map((c) => (c as { type: string }).type)).toEqual(['SUBSCRIBE']);
  });

  it('stops with a terminal error when the master refuses the framework (ERROR event)', async () => {
    const m = await master();
    const http = new SchedulerHttp();
    const sub = new Subscription({
      label: 'test',
      endpoints: [{ host: '127.0.0.1', port: m.port }],
      http,
      subscribeCall: () => ({
        type: 'SUBSCRIBE',
        subscribe: { framework_info: { ...frameworkInfo, roles: ['spark'] }, suppressed_roles: ['other'] },
      }),
      onSubscribed: () => undefined,
      onEvent: () => undefined,
      onDisconnected: () => undefined,
    });
    closers.push(async () => {
      await sub.close();
      await http.close();
    });
    await expect(sub.ready(AbortSignal.timeout(20_000))).rejects.toMatchObject({
      code: 'SPARKCTL_MESOS_SUBSCRIPTION_REFUSED',
      errorClass: 'terminal',
      message: expect.stringContaining('Suppressed roles'),
    });
  });
});
