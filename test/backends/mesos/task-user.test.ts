import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { controllerUserName, resolveTaskUser } from '../../../src/backends/mesos/task-user.js';

describe('resolveTaskUser', () => {
  const passwd = path.join(mkdtempSync(path.join(tmpdir(), 'passwd-')), 'passwd');
  writeFileSync(passwd, 'alice:x:1234:2345::/home/alice:/bin/sh\nbroken:x:abc:1::/:/bin/sh\n');

  it('runs the container as the numeric ids this host knows for the user', () => {
    expect(resolveTaskUser('alice', passwd)).toEqual({ name: 'alice', dockerUser: '1234:2345' });
    const me = userInfo();
    expect(resolveTaskUser(controllerUserName(), passwd)).toEqual({ name: me.username, dockerUser: `${me.uid}:${me.gid}` });
  });

  it('falls back to the name (the image must know it) when the ids are unknown or unreadable', () => {
    expect(resolveTaskUser('bob', passwd)).toEqual({ name: 'bob', dockerUser: 'bob' });
    expect(resolveTaskUser('broken', passwd)).toEqual({ name: 'broken', dockerUser: 'broken' });
    expect(resolveTaskUser('carol', '/nonexistent/passwd')).toEqual({ name: 'carol', dockerUser: 'carol' });
  });
});
