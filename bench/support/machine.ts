import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import type Docker from 'dockerode';

/** Where the figures were measured. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly docker: string;
  readonly dockerApi: string;
  /** 1-minute load average when the run started. */
  readonly loadAverage: number;
}

/** Describes this machine and its Docker engine. */
export async function machineInfo(docker: Docker): Promise<MachineInfo> {
  const v = await docker.version();
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    docker: v.Version,
    dockerApi: v.ApiVersion,
    loadAverage: loadavg()[0] ?? 0,
  };
}

/** One line for the top of the report. */
export function formatMachine(m: MachineInfo): string {
  return `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, Docker ${m.docker} (API ${m.dockerApi}), load ${m.loadAverage.toFixed(2)} at start`;
}
