import { spawnController, type ChildController } from './spawn-controller.js';
import { StatusWatch } from './status-watch.js';
import { createWorkspace, type Workspace } from './workspace.js';

/** What a benchmark drives: a workspace, the compiled controller over it, and a watch of the statuses it writes. */
export interface ControllerRig {
  readonly ws: Workspace;
  readonly controller: ChildController;
  readonly watch: StatusWatch;
  /** Closes the watch and stops the controller (the workspace is the caller's to clean up, after its own teardown). */
  stop(): Promise<void>;
}

/** Creates the workspace `name`, starts the controller on it (under `--cpu-prof` into `cpuProfDir` when given) and watches its folder. */
export async function startControllerRig(name: string, options: { readonly cpuProfDir?: string } = {}): Promise<ControllerRig> {
  const ws = await createWorkspace(name);
  const controller = spawnController({
    jobsDir: ws.jobsDir,
    stateDir: ws.stateDir,
    logFile: ws.logFile,
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
  });
  const watch = new StatusWatch(ws.jobsDir);
  return {
    ws,
    controller,
    watch,
    stop: async () => {
      watch.close();
      await controller.stop();
    },
  };
}
