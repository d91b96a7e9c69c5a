import { InvalidArgumentError, type Command } from 'commander';
import { checkAdvertiseAddress } from '../../backends/advertise-address.js';
import { resolveJobsDir, resolveStateDir } from '../../state/state-dir.js';
import { DEFAULT_METRICS_ADDR, parseMetricsAddr } from '../../config/metrics-addr.js';
import { hostPathPrefixProblem, preparePolicy, secretEnvNameProblem } from '../../policy/policy.js';
import { parseDuration } from '../parse-duration.js';
import type { SetExit } from './index.js';
import { gitSyncConfigFromFlags, type GitFlags } from './sync.js';

const positiveInt = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} takes a whole number ≥ 1, got '${v}'`);
  return n;
};
const advertiseAddress = (v: string) => {
  const problem = checkAdvertiseAddress(v);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return v;
};
/** A repeatable flag whose every value must pass `problem` (a usage error, exit 2, otherwise). */
const collectChecked = (problem: (v: string) => string | undefined) => (v: string, prev: string[]) => {
  const p = problem(v);
  if (p) throw new InvalidArgumentError(p);
  return [...prev, v];
};
const metricsAddr = (v: string) => {
  try {
    parseMetricsAddr(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return v;
};

const unixUser = (v: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(v))
    throw new InvalidArgumentError(`--mesos-user takes a Unix user name (letters, digits, _ . -), got '${v}'`);
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
    .option(
      '--missing-grace <duration>',
      'keep a job whose manifest vanished or stopped parsing this long before releasing it (editor saves, git mv); 0 releases at once',
      '5s',
    )
    .option(
      '--metrics-addr [host:port]',
      `serve /healthz, /readyz, /metrics and the web dashboard here (alone: ${DEFAULT_METRICS_ADDR}; off when not given)`,
      metricsAddr,
    )
    .option('--allow-host-network', 'let manifests ask for network: host', false)
    .option(
      '--allow-host-path <prefix>',
      'let manifests use host paths (volumes, certsDir, secretRef.file) whose real path lies under this absolute folder (repeatable)',
      collectChecked(hostPathPrefixProblem),
      [],
    )
    .option(
      '--allow-secret-env <name>',
      'let manifests name this controller environment variable in spec.mesos.secretRef.env (repeatable)',
      collectChecked(secretEnvNameProblem),
      [],
    )
    .option(
      '--advertise-address <ipv4>',
      'address of this host that Mesos and executors call client-mode drivers back on (default: detected, first non-loopback IPv4)',
      advertiseAddress,
    )
    .option(
      '--mesos-user <name>',
      "Unix user of Mesos cluster-mode drivers: FrameworkInfo.user, sandbox owner and container user (default: this controller's user)",
      unixUser,
    )
    .option('--mesos-single-host', 'the Mesos master and agents run on this one host, so drivers may dial a loopback master', false)
    .option(
      '--mesos-unreachable-grace <duration>',
      'how long a Mesos driver reported TASK_UNREACHABLE (its agent partitioned) may take to come back before its restartPolicy decides; 0 decides at once',
      '0s',
    )
    .option('--docker-socket <path>', 'Docker engine socket (default: $DOCKER_HOST or /var/run/docker.sock)')
    .option('--git <url>', 'sync the jobs folder from this git repository (the --jobs path becomes a link sparkctl manages)')
    .option('--git-ref <ref>', 'branch, tag or commit to sync (default: main)')
    .option('--git-path <path>', 'folder of the repository holding the manifests (default: the root)')
    .option('--interval <duration>', 'fetch from git this often, ±10% jitter (default: 60s)')
    .option('--prune', 'release the jobs whose manifests were removed from git (default: keep them, reported as orphaned)')
    .option(
      '--status-branch <name>',
      'commit the manifests with their status to this branch and push it (a branch sparkctl created; never the synced branch)',
    )
    .option('--git-timeout <duration>', 'how long one git command (fetch, push) may take before it is killed (default: 60s)')
    .option(
      '--git-credentials-file <path>',
      'USER:TOKEN for an HTTP(S) remote, mode 600 (keeps credentials out of the URL and every command line)',
    )
    .addHelpText('after', '\nExample:\n  sparkctl --jobs ./manifests controller --exit-when-idle\n')
    .action(
      async (
        opts: {
          workers: number;
          exitWhenIdle: boolean;
          relistInterval: string;
          missingGrace: string;
          metricsAddr?: string | true;
          allowHostNetwork: boolean;
          allowHostPath: string[];
          allowSecretEnv: string[];
          dockerSocket?: string;
          advertiseAddress?: string;
          mesosUser?: string;
          mesosSingleHost: boolean;
          mesosUnreachableGrace: string;
        } & GitFlags,
      ) => {
        const globals = program.opts<{ jobs?: string; stateDir?: string }>();
        const jobsDir = resolveJobsDir(globals.jobs);
        const stateDir = resolveStateDir(jobsDir, globals.stateDir);
        const git = gitSyncConfigFromFlags(opts, program, stateDir);
        // Prefixes are resolved once, here: one that cannot be is a usage error (exit 2) naming the flag.
        const policy = await preparePolicy({
          allowHostNetwork: opts.allowHostNetwork,
          allowedHostPaths: opts.allowHostPath,
          allowedSecretEnv: opts.allowSecretEnv,
        }).catch((err: unknown) => program.error(`error: ${(err as Error).message}`, { exitCode: 2, code: 'sparkctl.policy' }));
        // Loaded on demand: the engine adapters are heavy and the other verbs never need them.
        const { runController } = await import('../../main.js');
        const code = await runController({
          jobsDir,
          stateDir,
          workers: opts.workers,
          exitWhenIdle: opts.exitWhenIdle,
          relistIntervalMs: parseDuration(opts.relistInterval, '--relist-interval'),
          missingGraceMs: parseDuration(opts.missingGrace, '--missing-grace'),
          policy,
          ...(opts.metricsAddr ? { metricsAddr: opts.metricsAddr === true ? DEFAULT_METRICS_ADDR : opts.metricsAddr } : {}),
          ...(opts.dockerSocket ? { dockerSocket: opts.dockerSocket } : {}),
          ...(opts.advertiseAddress ? { advertiseAddress: opts.advertiseAddress } : {}),
          mesos: {
            singleHost: opts.mesosSingleHost,
            unreachableGraceMs: parseDuration(opts.mesosUnreachableGrace, '--mesos-unreachable-grace'),
            ...(opts.mesosUser !== undefined ? { user: opts.mesosUser } : {}),
          },
          ...(git ? { git } : {}),
        });
        setExit(code);
      },
    );
}
