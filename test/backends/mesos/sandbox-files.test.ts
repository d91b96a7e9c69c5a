import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesosSandboxError } from '../../../src/backends/mesos/errors.js';
import { downloadFile, readWholeFile, sandboxFilePath } from '../../../src/backends/mesos/sandbox-files.js';
import { SchedulerHttp } from '../../../src/backends/mesos/scheduler-client.js';
import { startMesosMaster, type MesosMaster } from '../../support/mesos-emulator/index.js';
import { ensureBusyboxImage } from '../../mesos-emulator/busybox-image.js';
import { firstOffer, launch, runToState, shellTask } from '../../mesos-emulator/launch-helpers.js';
import { session, type Session } from '../../mesos-emulator/scheduler-client.js';

/** Bytes 0x00..0xff twice, written by the task with printf octal escapes. */
const BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
const ESCAPED = [...BYTES].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');

describe('sandbox files through the agent (client side)', () => {
  let master: MesosMaster;
  let s: Session;
  const http = new SchedulerHttp();
  const file = (name: string) => sandboxFilePath(s.frameworkId, 'bytes-task', name);
  beforeAll(async () => {
    ensureBusyboxImage();
    master = await startMesosMaster({ allocationIntervalSeconds: 0.05 });
    s = await session(master.url);
    const offer = await firstOffer(s);
    await launch(s, offer, [shellTask(offer, 'bytes-task', `printf '${ESCAPED}' > $MESOS_SANDBOX/blob.bin`)]);
    await runToState(s, 'bytes-task', 'TASK_FINISHED');
  });
  afterAll(async () => {
    s?.sub.close();
    await http.close();
    await master?.close();
  });

  it('downloadFile returns the exact bytes; reading them as text (/files/read) does not', async () => {
    const got = await downloadFile(http, master.url, file('blob.bin'));
    expect(Buffer.isBuffer(got) && got.equals(BYTES)).toBe(true);
    const text = await readWholeFile(http, master.url, file('blob.bin'));
    expect(Buffer.from(text as string, 'utf8').equals(BYTES)).toBe(false);
  });

  it("answers 'missing' for a file the agent does not have, and refuses files over the cap", async () => {
    expect(await downloadFile(http, master.url, file('nope.bin'))).toBe('missing');
    await expect(downloadFile(http, master.url, file('blob.bin'), undefined, 100)).rejects.toThrow(MesosSandboxError);
    await expect(downloadFile(http, master.url, file('blob.bin'), undefined, 100)).rejects.toThrow(/larger than 100 bytes/);
  });
});
