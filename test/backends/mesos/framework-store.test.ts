import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRAMEWORK_STORE_FILE, FrameworkStore } from '../../../src/backends/mesos/framework-store.js';

describe('FrameworkStore', () => {
  it('persists the framework id, failover timeout and tasks so a new instance reads them back', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'mesos-store-')), 'nested');
    const a = new FrameworkStore(dir);
    a.update('mesos://m:5050|spark', () => ({
      master: 'mesos://m:5050',
      connection: { principal: 'spark', secretRef: { env: 'S' } },
      frameworkId: 'M-0001',
      failoverTimeout: 604800,
      roles: ['*'],
      tasks: {},
      updatedAt: '',
    }));
    a.addTask('mesos://m:5050|spark', { taskId: 't1', agentId: 'S1', job: 'j', attempt: 1, specHash: 'h', launchedAt: 'now' });
    const b = new FrameworkStore(dir);
    expect(b.get('mesos://m:5050|spark')).toMatchObject({
      frameworkId: 'M-0001',
      failoverTimeout: 604800,
      roles: ['*'],
      tasks: { t1: { agentId: 'S1' } },
    });
    b.removeTask('mesos://m:5050|spark', 't1');
    expect(new FrameworkStore(dir).get('mesos://m:5050|spark')!.tasks).toEqual({});
    const file = path.join(dir, FRAMEWORK_STORE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toMatch(/secret"\s*:\s*"[^"]/);
  });

  it('starts empty when the file does not exist', () => {
    expect(new FrameworkStore(mkdtempSync(path.join(tmpdir(), 'mesos-store-'))).all()).toEqual({});
  });

  it('names the file and the fix when the store is not JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mesos-store-'));
    writeFileSync(path.join(dir, FRAMEWORK_STORE_FILE), '{not json');
    expect(() => new FrameworkStore(dir)).toThrow(/mesos-frameworks\.json is not valid JSON; restore it/);
  });

  it('abandonTask moves a task from the launched ones to the abandoned ones durably; entries older than two weeks expire', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mesos-store-'));
    const key = 'mesos://m:5050|';
    const a = new FrameworkStore(dir);
    a.update(key, () => ({ master: 'mesos://m:5050', connection: {}, failoverTimeout: 604800, roles: ['*'], tasks: {}, updatedAt: '' }));
    a.addTask(key, { taskId: 'old', agentId: 'S0', job: 'j', attempt: 1, specHash: 'h', launchedAt: 'now' });
    a.abandonTask(key, {
      taskId: 'ancient',
      state: 'TASK_UNREACHABLE',
      abandonedAt: new Date(Date.now() - 15 * 24 * 3600 * 1000).toISOString(),
    });
    a.abandonTask(key, { taskId: 'old', agentId: 'S0', state: 'TASK_UNREACHABLE', abandonedAt: new Date().toISOString() });
    const b = new FrameworkStore(dir);
    expect(b.get(key)!.tasks).toEqual({});
    expect(Object.keys(b.get(key)!.abandoned ?? {})).toEqual(['old']);
    expect(b.get(key)!.abandoned!.old).toMatchObject({ agentId: 'S0', state: 'TASK_UNREACHABLE' });
    b.forgetAbandoned(key, 'old');
    expect(new FrameworkStore(dir).get(key)!.abandoned).toEqual({});
  });
});
