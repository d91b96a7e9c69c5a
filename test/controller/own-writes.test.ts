import { lstat, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OwnWrites } from '../../src/controller/own-writes.js';
import { fileKeyOf } from '../../src/manifest/write-status.js';
import { mtimeNsOf, setMtimeNs } from '../support/set-mtime.js';

describe('OwnWrites: the controller recognises its own status write by its event and key', () => {
  let dir = '';
  let file = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparkctl-own-'));
    file = join(dir, 'a.yaml');
    await writeFile(file, 'status: written\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Records the file as written with hash `h`, as writeStatus's onSwap does. */
  const expectWrite = async (own: OwnWrites) => own.expect('a.yaml', fileKeyOf(await lstat(file)), 'h');

  it('recognises the write after its own rename event, once', async () => {
    const own = new OwnWrites();
    await expectWrite(own);
    own.event('a.yaml', 'rename');
    expect(await own.recognise('a.yaml', file)).toBe('h');
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
  });

  it('does not recognise it before its event arrived', async () => {
    const own = new OwnWrites();
    await expectWrite(own);
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
  });

  it.each([
    { what: 'an in-place save (change)', events: ['rename', 'change'] },
    { what: "an editor's rename after it", events: ['rename', 'rename'] },
    { what: 'a change before its own rename arrived', events: ['change', 'rename'] },
  ])('forgets it on $what, even when the key still matches', async ({ events }) => {
    const own = new OwnWrites();
    await expectWrite(own);
    for (const e of events) own.event('a.yaml', e);
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
  });

  it('does not recognise a file with another key: new content of the same size and mtime in another inode', async () => {
    const own = new OwnWrites();
    await expectWrite(own);
    await writeFile(join(dir, 'b'), 'status: WRITTEN\n');
    await setMtimeNs(join(dir, 'b'), await mtimeNsOf(file));
    await rename(join(dir, 'b'), file);
    own.event('a.yaml', 'rename'); // as if the controller's own event had been lost
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
  });

  it('does not recognise a file that grew, or is gone', async () => {
    const own = new OwnWrites();
    await expectWrite(own);
    own.event('a.yaml', 'rename');
    await writeFile(file, 'status: written, longer\n');
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
    await expectWrite(own);
    own.event('a.yaml', 'rename');
    await rm(file);
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
  });

  it('an event arriving during the lstat wins; forget and clear drop writes', async () => {
    const own = new OwnWrites();
    await expectWrite(own);
    own.event('a.yaml', 'rename');
    const pending = own.recognise('a.yaml', file);
    own.event('a.yaml', 'change');
    expect(await pending).toBeUndefined();
    await expectWrite(own);
    own.forget('a.yaml');
    own.event('a.yaml', 'rename');
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
    await expectWrite(own);
    own.clear();
    own.event('a.yaml', 'rename');
    expect(await own.recognise('a.yaml', file)).toBeUndefined();
  });
});
