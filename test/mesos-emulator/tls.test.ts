import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCerts, startMesosMaster, type TestCerts } from '../support/mesos-emulator/index.js';
import { subscribeCall } from './scheduler-client.js';

let certs: TestCerts;
beforeAll(() => {
  certs = createTestCerts(mkdtempSync(join(tmpdir(), 'mesos-certs-')));
});
afterAll(() => {
  rmSync(certs.dir, { recursive: true, force: true });
});

const subscribeOver = (url: string, agent: Agent) =>
  request(`${url}/api/v1/scheduler`, {
    method: 'POST',
    dispatcher: agent,
    body: JSON.stringify(subscribeCall()),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  });

describe('TLS', () => {
  it('serves the scheduler API over HTTPS to clients that trust its CA', async () => {
    const master = await startMesosMaster({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    const agent = new Agent({ connect: { ca: certs.ca } });
    try {
      expect(master.url).toBe(`https://127.0.0.1:${master.port}`);
      const res = await subscribeOver(master.url, agent);
      expect(res.statusCode).toBe(200);
      expect(res.headers['mesos-stream-id']).toBeDefined();
      res.body.destroy();
      const untrusting = new Agent();
      await expect(subscribeOver(master.url, untrusting)).rejects.toThrow();
      await untrusting.close();
    } finally {
      await agent.destroy();
      await master.close();
    }
  });

  it('requires a client certificate signed by the CA when requestCert is set', async () => {
    const master = await startMesosMaster({ tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true } });
    const anonymous = new Agent({ connect: { ca: certs.ca } });
    const withCert = new Agent({ connect: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });
    try {
      await expect(subscribeOver(master.url, anonymous).then((r) => r.body.text())).rejects.toThrow();
      const res = await subscribeOver(master.url, withCert);
      expect(res.statusCode).toBe(200);
      res.body.destroy();
    } finally {
      await anonymous.destroy();
      await withCert.destroy();
      await master.close();
    }
  });
});
