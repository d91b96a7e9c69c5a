import { InvalidArgumentError, type Command } from 'commander';
import { checkAdvertiseAddress } from '../../backends/advertise-address.js';
import { DEFAULT_POLICY } from '../../controller/check-policy.js';
import { resolveJobsDir, resolveStateDir } from '../../controller/state-dir.js';
import { DEFAULT_METRICS_ADDR, parseMetricsAddr } from '../../controller/serve-health.js';
import { parseDuration } from '../parse-duration.js';
import type { SetExit } from './index.js';
import { gitSyncConfigFromFlags, type GitFlags } from './sync.js';

const positiveInt = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} takes a whole number ≥ 1, got '${v}'`);
  return n;
};
const collect = (v: string, prev: string[]) => [...prev, v];
const advertiseAddress = (v: string) => {
  const problem = checkAdvertiseAddress(v);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return v;
};
const metricsAddr = (v: string) => {
  try {
    parseMetricsAddr(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return v;
};

/** `sparkctl controller`: runs the reconciler on the jobs folder. */
export function registerController(program: Command, setExit: SetExit): void {
  program
    .command('controller')
    .description('Run the controller: watch the jobs folder and drive every SparkJob to completion')
    .option('--workers <n>', 'jobs reconciled in parallel', positiveInt('--workers'), 4)
    .option('--exit-when-idle', 'exit 0 once no job is pending or running', false)
    .option('--relist-interval <duration>', 'full relist of the jobs folder, catching missed file events', '30s')
    .option('--missing-grace <duration>', 'keep a job whose manifest vanished or stopped parsing this long before releasing it (editor saves, git mv); 0 releases at once', '5s')
    .option('--metrics-addr [host:port]', `serve /healthz, /readyz and /metrics here (alone: ${DEFAULT_METRICS_ADDR}; off when not given)`, metricsAddr)
    .option('--allow-host-network', 'let manifests ask for network: host', false)
    .option('--allow-host-path <prefix>', 'let manifests mount host folders under this prefix (repeatable)', collect, [])
    .option('--advertise-address <ipv4>', 'address of this host that Mesos and executors call client-mode drivers back on (default: detected, first non-loopback IPv4)', advertiseAddress)
    .option('--docker-socket <path>', 'Docker engine socket (default: $DOCKER_HOST or /var/run/docker.sock)')
    .option('--git <url>', 'sync the jobs folder from this git repository (the --jobs path becomes a link sparkctl manages)')
    .option('--git-ref <ref>', 'branch, tag or commit to sync (default: main)')
    .option('--git-path <path>', 'folder of the repository holding the manifests (default: the root)')
    .option('--interval <duration>', 'fetch from git this often, ±10% jitter (default: 60s)')
    .option('--prune', 'release the jobs whose manifests were removed from git (default: keep them, reported as orphaned)')
    .option('--status-branch <name>', 'commit the manifests with their status to this branch and push it (a branch sparkctl created; never the synced branch)')
    .option('--git-timeout <duration>', 'how long one git command (fetch, push) may take before it is killed (default: 60s)')
    .option('--git-credentials-file <path>', 'USER:TOKEN for an HTTP(S) remote, mode 600 (keeps credentials out of the URL and every command line)')
    .addHelpText('after', '\nExample:\n  sparkctl --jobs ./manifests controller --exit-when-idle\n')
    .action(async (opts: { workers: number; exitWhenIdle: boolean; relistInterval: string; missingGrace: string; metricsAddr?: string | true; allowHostNetwork: boolean; allowHostPath: string[]; dockerSocket?: string; advertiseAddress?: string } & GitFlags) => {
      const globals = program.opts<{ jobs?: string; stateDir?: string }>();
      const jobsDir = resolveJobsDir(globals.jobs);
      const stateDir = resolveStateDir(jobsDir, globals.stateDir);
      const git = gitSyncConfigFromFlags(opts, program, stateDir);
      // Loaded on demand: the engine adapters are heavy and the other verbs never need them.
      const { runController } = await import('../../main.js');
      const code = await runController({
        jobsDir,
        stateDir,
        workers: opts.workers,
        exitWhenIdle: opts.exitWhenIdle,
        relistIntervalMs: parseDuration(opts.relistInterval, '--relist-interval'),
        missingGraceMs: parseDuration(opts.missingGrace, '--missing-grace'),
        policy: { ...DEFAULT_POLICY, allowHostNetwork: opts.allowHostNetwork, allowedHostPaths: opts.allowHostPath },
        ...(opts.metricsAddr ? { metricsAddr: opts.metricsAddr === true ? DEFAULT_METRICS_ADDR : opts.metricsAddr } : {}),
        ...(opts.dockerSocket ? { dockerSocket: opts.dockerSocket } : {}),
        ...(opts.advertiseAddress ? { advertiseAddress: opts.advertiseAddress } : {}),
        ...(git ? { git } : {}),
      });
      setExit(code);
    });
}
