import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MesosMaster } from '../../support/mesos-emulator/index.js';
import { startMesosMaster } from '../../support/mesos-emulator/index.js';
import { ensureFakeImage, testBackend } from './backend-harness.js';
import { mesosSpec, runOf } from './fixtures.js';

/** A test CA, a server certificate for 127.0.0.1 and a client certificate, laid out like spec.mesos.certsDir. */
function makeCerts(): { certsDir: string; serverKey: Buffer; serverCert: Buffer; ca: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mesos-certs-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'trustedroot.crt',
    '-days',
    '1',
    '-subj',
    '/CN=sparkctl-test-ca',
  );
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [
    ['server', '127.0.0.1', ['-extfile', 'san.ext']],
    ['mesos', 'spark', []],
  ] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'trustedroot.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      ...ext,
    );
  }
  const read = (f: string) => readFileSync(path.join(dir, f));
  return { certsDir: dir, serverKey: read('server.key'), serverCert: read('server.crt'), ca: read('trustedroot.crt') };
}

describe('Mesos backend over TLS (certsDir)', () => {
  /** As started with --allow-host-path <the certificates folder> --allow-secret-env MESOS_TEST_SECRET. */
  const granted = () => ({ allowHostNetwork: false, allowedHostPaths: [certs.certsDir], allowedSecretEnv: ['MESOS_TEST_SECRET'] });
  let master: MesosMaster;
  let proxy: https.Server;
  let certs: ReturnType<typeof makeCerts>;
  const clientNames: string[] = [];

  beforeAll(async () => {
    ensureFakeImage();
    certs = makeCerts();
    master = await startMesosMaster({ agents: [{ cpus: 2, mem: 4096 }], heartbeatIntervalSeconds: 0.5, allocationIntervalSeconds: 0.2 });
    // A TLS front for the master that requires a client certificate signed by the test CA (mutual TLS).
    proxy = https.createServer(
      { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        clientNames.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
        const up = http.request({ host: '127.0.0.1', port: master.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        });
        res.on('close', () => up.destroy());
        req.pipe(up);
      },
    );
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await master?.close();
  });

  it('subscribes and runs a driver over https with the cluster CA and the client certificate from certsDir, mounted at /certs', async () => {
    const port = (proxy.address() as { port: number }).port;
    const { backend } = testBackend({ policy: granted() });
    try {
      const s = mesosSpec({
        master: `mesos://127.0.0.1:${port}`,
        mesos: { role: '*', principal: 'spark', secretRef: { env: 'MESOS_TEST_SECRET' }, certsDir: certs.certsDir },
      });
      const run = runOf(s, 'tls');
      const { frameworkId } = await backend.connect(runOf(s), { signal: AbortSignal.timeout(30_000) });
      expect(frameworkId).toEqual(expect.any(String));
      const reservation = await backend.requestResources(run, { signal: AbortSignal.timeout(30_000) });
      const ref = await backend.start(run, reservation, { signal: AbortSignal.timeout(30_000) });
      await expect(backend.wait(run, ref, { signal: AbortSignal.timeout(30_000) })).resolves.toMatchObject({ outcome: 'succeeded' });
      await backend.release(run, ref, reservation, { signal: AbortSignal.timeout(30_000) });
      expect(clientNames.length).toBeGreaterThan(3);
      expect(new Set(clientNames)).toEqual(new Set(['spark']));
      const task = master.tasks().find((t) => t.id === ref.taskId)!;
      expect((task.info.container as { volumes: unknown[] }).volumes).toContainEqual({
        container_path: '/certs',
        host_path: certs.certsDir,
        mode: 'RO',
      });
    } finally {
      await backend.close();
    }
  });

  it('refuses to start without the certificate files, naming the missing one', async () => {
    const { backend } = testBackend({ policy: granted() });
    const partial = path.join(certs.certsDir, 'partial');
    mkdirSync(partial);
    writeFileSync(path.join(partial, 'mesos.crt'), readFileSync(path.join(certs.certsDir, 'mesos.crt')));
    const s = mesosSpec({ master: 'mesos://127.0.0.1:5050', mesos: { role: '*', certsDir: partial } });
    await expect(backend.connect(runOf(s), { signal: AbortSignal.timeout(5000) })).rejects.toMatchObject({
      code: 'SPARKCTL_MESOS_CERTS',
      errorClass: 'terminal',
      message: expect.stringContaining('mesos.key') as string,
    });
    await backend.close();
  });
});
