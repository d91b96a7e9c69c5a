import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { LABELS } from '../../src/backends/ports.js';
import { instanceId } from '../../src/main.js';

/** A temp jobs folder and state dir for one benchmark, and where the controller logs. */
export interface Workspace {
  readonly root: string;
  readonly jobsDir: string;
  readonly stateDir: string;
  readonly logFile: string;
  /** Removes the folders and any container the controller of this state dir left. */
  cleanup(docker?: Docker): Promise<void>;
}

/** Creates a workspace under the system temp folder. */
export async function createWorkspace(name: string): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), `sparkctl-bench-${name}-`));
  const jobsDir = join(root, 'jobs');
  const stateDir = join(root, 'state');
  await mkdir(jobsDir);
  return {
    root,
    jobsDir,
    stateDir,
    logFile: join(root, 'controller.log'),
    cleanup: async (docker) => {
      if (docker) {
        const list = await docker.listContainers({ all: true, filters: { label: [`${LABELS.instance}=${instanceId(stateDir)}`] } });
        await Promise.all(
          list.map((c) =>
            docker
              .getContainer(c.Id)
              .remove({ force: true })
              .catch(() => undefined),
          ),
        );
      }
      if (process.env.SPARKCTL_BENCH_KEEP !== '1') await rm(root, { recursive: true, force: true });
    },
  };
}
