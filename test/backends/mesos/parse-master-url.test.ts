import { describe, expect, it } from 'vitest';
import { parseLeaderLocation, parseMasterUrl } from '../../../src/backends/mesos/parse-master-url.js';

describe('parseMasterUrl', () => {
  it('reads a direct master', () => {
    expect(parseMasterUrl('mesos://m1.example.com:5050')).toEqual({
      url: 'mesos://m1.example.com:5050',
      viaZooKeeper: false,
      endpoints: [{ host: 'm1.example.com', port: 5050 }],
    });
  });

  it('tries each ZooKeeper host as a master on 5050', () => {
    const c = parseMasterUrl('mesos://zk://h1:2181,h2:2181,h3:2182/mesos');
    expect(c.viaZooKeeper).toBe(true);
    expect(c.endpoints).toEqual([
      { host: 'h1', port: 5050 },
      { host: 'h2', port: 5050 },
      { host: 'h3', port: 5050 },
    ]);
  });

  it('uses the given master port for ZooKeeper hosts and drops duplicates', () => {
    expect(parseMasterUrl('mesos://zk://127.0.0.1:2181,127.0.0.1:2182/mesos', { zkMasterPort: 15050 }).endpoints).toEqual([
      { host: '127.0.0.1', port: 15050 },
    ]);
  });

  it.each(['local[*]', 'mesos://host', 'mesos://host:99999', 'mesos://zk://h1/mesos', 'mesos://a b:5050', 'http://h:5050'])(
    'rejects %s with a terminal error',
    (url) => {
      try {
        parseMasterUrl(url);
        expect.unreachable();
      } catch (e) {
        expect(e).toMatchObject({ code: 'SPARKCTL_MESOS_MASTER_URL', errorClass: 'terminal' });
      }
    },
  );
});

describe('parseLeaderLocation', () => {
  it('resolves a protocol-relative Location against the scheme in use', () => {
    expect(parseLeaderLocation('//leader.example.com:5051/api/v1/scheduler', 'https')).toEqual({ host: 'leader.example.com', port: 5051 });
  });

  it('accepts absolute and bare host:port forms', () => {
    expect(parseLeaderLocation('http://10.0.0.2:5050/api/v1/scheduler', 'http')).toEqual({ host: '10.0.0.2', port: 5050 });
    expect(parseLeaderLocation('masterhost2:5050', 'http')).toEqual({ host: 'masterhost2', port: 5050 });
  });

  it('defaults to port 5050', () => {
    expect(parseLeaderLocation('//leader/api/v1/scheduler', 'http')).toEqual({ host: 'leader', port: 5050 });
  });
});
