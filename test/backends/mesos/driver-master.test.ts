import { describe, expect, it } from 'vitest';
import { advertisedMaster, driverMasterUrl, isLoopbackHost } from '../../../src/backends/mesos/driver-master.js';
import { MesosLoopbackMasterError } from '../../../src/backends/mesos/errors.js';

const info = (host: string, port = 5050) => ({
  id: 'm',
  ip: 16777343,
  port,
  hostname: host,
  version: '1.11.0',
  address: { hostname: host, ip: host, port },
});

describe('driverMasterUrl', () => {
  it('replaces the spec master with the leader that SUBSCRIBED advertises', () => {
    expect(driverMasterUrl('mesos://127.0.0.1:5050', info('10.1.2.3', 5051), { singleHost: false })).toBe('mesos://10.1.2.3:5051');
    expect(driverMasterUrl('mesos://m1.example:5050', { address: { hostname: 'm2.example', port: 5050 } }, { singleHost: false })).toBe(
      'mesos://m2.example:5050',
    );
  });

  it('reads the legacy packed ip (network byte order) when address is missing', () => {
    expect(advertisedMaster({ ip: 0x0302010a, port: 5050 })).toEqual({ host: '10.1.2.3', port: 5050 });
  });

  it('passes zk:// URLs as written', () => {
    expect(driverMasterUrl('mesos://zk://zk1:2181,zk2:2181/mesos', info('10.1.2.3'), { singleHost: false })).toBe(
      'mesos://zk://zk1:2181,zk2:2181/mesos',
    );
  });

  it('refuses a loopback master unless the cluster is a single host, naming the flag', () => {
    expect(() => driverMasterUrl('mesos://127.0.0.1:5050', info('127.0.0.1'), { singleHost: false })).toThrow(MesosLoopbackMasterError);
    expect(() => driverMasterUrl('mesos://127.0.0.1:5050', info('127.0.0.1'), { singleHost: false })).toThrow(/--mesos-single-host/);
    expect(() => driverMasterUrl('mesos://zk://localhost:2181/mesos', undefined, { singleHost: false })).toThrow(MesosLoopbackMasterError);
    expect(driverMasterUrl('mesos://127.0.0.1:5050', info('127.0.0.1', 41234), { singleHost: true })).toBe('mesos://127.0.0.1:41234');
  });

  it('knows loopback names', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '0.0.0.0']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', 'master.example', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
