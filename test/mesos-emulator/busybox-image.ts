import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The busybox image tasks run in (built by scripts/test-env.sh; built here when missing). */
export const BUSYBOX_IMAGE = 'sparkctl/busybox:test';

/** Makes sure BUSYBOX_IMAGE exists on the local engine, importing a busybox rootfs if it does not. */
export function ensureBusyboxImage(): string {
  try {
    execFileSync('docker', ['image', 'inspect', BUSYBOX_IMAGE], { stdio: 'ignore' });
    return BUSYBOX_IMAGE;
  } catch {
    // Not built yet: import one below.
  }
  const dir = mkdtempSync(join(tmpdir(), 'busybox-rootfs-'));
  try {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    mkdirSync(join(dir, 'tmp'));
    copyFileSync('/bin/busybox', join(bin, 'busybox'));
    chmodSync(join(bin, 'busybox'), 0o755);
    for (const tool of execFileSync('/bin/busybox', ['--list']).toString().split('\n').filter(Boolean)) {
      if (tool !== 'busybox') symlinkSync('busybox', join(bin, tool));
    }
    execFileSync('sh', ['-c', `tar -C ${dir} -c . | docker import - ${BUSYBOX_IMAGE}`], { stdio: 'ignore' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return BUSYBOX_IMAGE;
}
