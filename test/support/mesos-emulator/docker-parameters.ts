import type Docker from 'dockerode';
import { isObject, type JsonObject } from './wire-json.js';

/** What DockerInfo `parameters` add to `docker create`, or why `docker run` would refuse them. */
export interface ParameterOptions {
  /** `net`/`network`: the last one (see applyParameters). */
  network?: string;
  user?: string;
  workingDir?: string;
  env: string[];
  labels: Record<string, string>;
  host: Pick<Docker.HostConfig, 'CapAdd' | 'CapDrop' | 'SecurityOpt' | 'ReadonlyRootfs' | 'PidsLimit'>;
}

/** Flags of `docker run` this agent applies; each value is parsed as the docker CLI does. */
const APPLIED = new Set(['user', 'cap-drop', 'cap-add', 'security-opt', 'read-only', 'pids-limit', 'workdir', 'env', 'label']);

/** Real `docker run` flags this emulated agent does not apply (or that would escape the test host): refused, never silently dropped. */
const NOT_APPLIED = new Set([
  'privileged',
  'pid',
  'ipc',
  'uts',
  'userns',
  'cgroupns',
  'cgroup-parent',
  'device',
  'volume',
  'v',
  'volumes-from',
  'mount',
  'tmpfs',
  'add-host',
  'dns',
  'dns-search',
  'dns-opt',
  'dns-option',
  'hostname',
  'publish',
  'expose',
  'ip',
  'mac-address',
  'sysctl',
  'ulimit',
  'memory',
  'memory-swap',
  'cpus',
  'cpu-shares',
  'cpuset-cpus',
  'runtime',
  'entrypoint',
  'rm',
  'detach',
  'restart',
  'log-driver',
  'log-opt',
  'init',
  'shm-size',
  'oom-kill-disable',
  'oom-score-adj',
  'group-add',
  'env-file',
  'label-file',
  'interactive',
  'tty',
  'stop-signal',
  'stop-timeout',
  'health-cmd',
  'no-healthcheck',
  'platform',
  'pull',
  'gpus',
  'link',
]);

function parseBool(key: string, value: string): boolean | string {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return `invalid argument "${value}" for "--${key}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`;
}

/**
 * Applies DockerInfo `parameters` the way the Docker containerizer passes them: each becomes
 * `docker run --key=value`, except the first `net`/`network`, which replaces the network
 * (src/docker/docker.cpp). A key that is no `docker run` flag fails as the docker CLI fails
 * (`unknown flag: --key`); returns the TASK_FAILED message instead of options.
 */
export function applyParameters(parameters: unknown): ParameterOptions | string {
  const out: ParameterOptions = { env: [], labels: {}, host: {} };
  const fail = (why: string): string => `Failed to launch container: Failed to run 'docker run': ${why}`;
  for (const p of Array.isArray(parameters) ? parameters.filter(isObject) : ([] as JsonObject[])) {
    const key = String(p.key);
    const value = String(p.value ?? '');
    if (key === 'net' || key === 'network') {
      // The first replaces Mesos's own `--net`, later ones follow as `--network=…` and the CLI keeps the last value.
      out.network = value;
      continue;
    }
    if (NOT_APPLIED.has(key)) return fail(`docker parameter --${key} is not applied by this emulated agent`);
    if (!APPLIED.has(key)) return fail(`unknown flag: --${key}`);
    switch (key) {
      case 'user':
        if (value === '') return fail('invalid argument "" for "--user" flag');
        out.user = value;
        break;
      case 'cap-drop':
        (out.host.CapDrop ??= []).push(value);
        break;
      case 'cap-add':
        (out.host.CapAdd ??= []).push(value);
        break;
      case 'security-opt':
        (out.host.SecurityOpt ??= []).push(value);
        break;
      case 'read-only': {
        const b = parseBool(key, value);
        if (typeof b === 'string') return fail(b);
        out.host.ReadonlyRootfs = b;
        break;
      }
      case 'pids-limit':
        if (!/^-?[0-9]+$/.test(value))
          return fail(`invalid argument "${value}" for "--pids-limit" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
        out.host.PidsLimit = Number(value);
        break;
      case 'workdir':
        out.workingDir = value;
        break;
      case 'env':
        out.env.push(value);
        break;
      case 'label': {
        const eq = value.indexOf('=');
        out.labels[eq < 0 ? value : value.slice(0, eq)] = eq < 0 ? '' : value.slice(eq + 1);
        break;
      }
    }
  }
  return out;
}
