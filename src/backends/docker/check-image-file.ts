import type Docker from 'dockerode';
import { isMesosMaster, DEFAULT_MESOS_NATIVE_LIBRARY, type SparkJobSpec } from '../../api/spark-job.js';
import { NativeLibraryMissingError, statusCodeOf } from './errors.js';

// Go's os.FileMode bits in the engine's path stat (X-Docker-Container-Path-Stat).
const MODE_DIR = 0x80000000;
const MODE_SYMLINK = 0x08000000;
const MAX_LINKS = 8;

interface PathStat {
  readonly mode: number;
  readonly linkTarget?: string;
}

/** The engine's stat of one path in a created container, or undefined when the path does not exist. */
async function statPath(container: Docker.Container, path: string, signal: AbortSignal): Promise<PathStat | undefined> {
  try {
    const res = (await container.infoArchive({ path, abortSignal: signal })) as {
      headers?: Record<string, string | undefined>;
      resume?: () => void;
    };
    res.resume?.();
    const header = res.headers?.['x-docker-container-path-stat'];
    if (header === undefined) return undefined;
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PathStat;
  } catch (e) {
    if (statusCodeOf(e) === 404) return undefined;
    throw e;
  }
}

/**
 * Whether `path` is a regular file (after following symbolic links) in `image`. The image is
 * never run: a container is created, its file system asked through the archive API, then removed.
 */
export async function imageHasFile(docker: Docker, image: string, path: string, signal: AbortSignal): Promise<boolean> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/sparkctl-never-started'],
    Cmd: [],
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', AutoRemove: false },
    abortSignal: signal,
  } as Docker.ContainerCreateOptions);
  try {
    let current = path;
    for (let hops = 0; hops <= MAX_LINKS; hops++) {
      const stat = await statPath(container, current, signal);
      if (stat === undefined) return false;
      if ((stat.mode & MODE_SYMLINK) === 0) return (stat.mode & MODE_DIR) === 0;
      if (!stat.linkTarget) return false;
      current = stat.linkTarget;
    }
    return false;
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/**
 * Fails early when a Mesos driver's image lacks the native library Spark's Mesos scheduler
 * loads (MESOS_NATIVE_JAVA_LIBRARY, see driver-environment.ts): apache/spark images ship none,
 * and the driver would otherwise die with an UnsatisfiedLinkError after the job started.
 */
export async function checkNativeLibrary(docker: Docker, spec: SparkJobSpec, signal: AbortSignal): Promise<void> {
  if (!isMesosMaster(spec.master)) return;
  const path = spec.mesos?.nativeLibrary ?? DEFAULT_MESOS_NATIVE_LIBRARY;
  if (await imageHasFile(docker, spec.image, path, signal)) return;
  throw new NativeLibraryMissingError(
    `image ${spec.image} has no Mesos native library at ${path} (spec.mesos.nativeLibrary): Spark on Mesos loads libmesos from MESOS_NATIVE_JAVA_LIBRARY and apache/spark images ship none; ` +
      'build an image with Mesos 1.x libmesos (see examples/images/spark-mesos/Dockerfile) or point spec.mesos.nativeLibrary at the file the image has',
  );
}
