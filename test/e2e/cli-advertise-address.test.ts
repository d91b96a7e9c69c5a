import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../support/docker.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from './support/cli.js';

// `sparkctl controller --advertise-address`: where Mesos and executors call client-mode drivers back.
describe('sparkctl controller --advertise-address', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ensureBuilt();
    await ensureTestImages();
  });
  afterEach(async () => {
    await ws?.close();
  });

  it('refuses a value that is not an IPv4 address, as a usage error', async () => {
    ws = await createWorkspace();
    const r = await ws.run(['controller', '--exit-when-idle', '--advertise-address', 'driver.example.com']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--advertise-address takes an IPv4 address of this host, got 'driver.example.com'");
  });

  it('hands the address to a client-mode Mesos driver as LIBPROCESS_IP, LIBPROCESS_ADVERTISE_IP and spark.driver.host', async () => {
    ws = await createWorkspace();
    const extra =
      '  master: mesos://127.0.0.1:5050\n  network: host\n  sparkConf: {spark.fake.printEnv: "LIBPROCESS_IP,LIBPROCESS_ADVERTISE_IP,MESOS_NATIVE_JAVA_LIBRARY"}\n';
    await ws.write('client.yaml', fakeJob('client', extra));
    const controller = ws.start(['controller', '--exit-when-idle', '--allow-host-network', '--advertise-address', '127.0.0.1']);
    expect(await controller.exited(60_000)).toBe(0);
    const logs = await ws.run(['logs', 'client']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Env: LIBPROCESS_IP=127.0.0.1');
    expect(logs.stdout).toContain('Env: LIBPROCESS_ADVERTISE_IP=127.0.0.1');
    expect(logs.stdout).toContain('Env: MESOS_NATIVE_JAVA_LIBRARY=/usr/lib/libmesos.so');
    expect(logs.stdout).toContain('Conf: spark.driver.host=127.0.0.1');
  });
});
