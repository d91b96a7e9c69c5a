import { spawn } from 'node:child_process';
import { StateLockError } from './errors.js';

/**
 * Takes flock(2) LOCK_EX|LOCK_NB on an open file of this process; false when another open file holds it.
 *
 * Node's standard library has no flock. The `flock` command (util-linux, or BusyBox) is given this
 * process's descriptor as its fd 3 and locks it: a flock lock belongs to the open file description,
 * which the child shares, so the lock stays held by our descriptor after the child exits and the
 * kernel drops it when this process dies, however it dies (SIGKILL, OOM, a container stopped).
 * Nothing is keyed by a pid, so pid reuse and pid 1 in a container cannot fool it.
 */
export function tryFlock(fd: number, path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-x', '-n', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ENOENT' ? 'the flock command was not found on PATH: install util-linux (or BusyBox)' : err.message;
      reject(new StateLockError(`could not lock ${path}: ${hint}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (code === 0) resolve(true);
      // Both util-linux and BusyBox exit 1 and print nothing when -n finds the lock taken.
      else if (code === 1 && stderr.trim() === '') resolve(false);
      else reject(new StateLockError(`could not lock ${path}: flock exited with ${code}: ${stderr.trim()}`));
    });
  });
}
