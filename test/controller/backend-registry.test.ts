import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/ports.js';
import { BackendRegistry } from '../../src/controller/backend-registry.js';

const fake = (kind: string) => ({ kind }) as unknown as Backend;

describe('BackendRegistry', () => {
  it('maps a spec to its backend with backendFor, creates Mesos on first use, and lists what is in use', () => {
    const docker = fake('docker');
    let made = 0;
    const hooks = { knownTasks: () => [], onUnknownTask: () => undefined };
    let given: unknown;
    const registry = new BackendRegistry(
      {
        docker,
        mesos: (h) => {
          made++;
          given = h;
          return fake('mesos');
        },
      },
      hooks,
    );
    expect(registry.all()).toEqual([docker]);
    expect(registry.for({ mode: 'client', master: 'local[*]' })).toBe(docker);
    // Cluster mode on a non-Mesos master runs on Docker (the restore path once guessed Mesos from the mode alone).
    expect(registry.for({ mode: 'cluster', master: 'local[*]' } as never)).toBe(docker);
    expect(made).toBe(0);
    const mesos = registry.for({ mode: 'cluster', master: 'mesos://127.0.0.1:5050' });
    expect(registry.for({ mode: 'cluster', master: 'mesos://127.0.0.1:5050' })).toBe(mesos);
    expect(made).toBe(1);
    expect(given).toBe(hooks);
    expect(registry.all()).toEqual([docker, mesos]);
  });
});
