import type Docker from 'dockerode';
import type { SparkJobSpec } from '../../api/spark-job.js';
import {
  callWithSignal,
  ImageNotPresentError,
  ImagePullFailedError,
  engineMessageOf,
  isAbortError,
  isConnectionError,
  statusCodeOf,
  EngineUnavailableError,
} from './errors.js';

/** Whether the image is on the engine already. */
export async function imageExists(docker: Docker, image: string, signal: AbortSignal): Promise<boolean> {
  try {
    const img = docker.getImage(image);
    await callWithSignal(img, img.inspect, signal);
    return true;
  } catch (e) {
    if (statusCodeOf(e) === 404) return false;
    throw e;
  }
}

// Registry answers that mean the name itself is wrong or not ours to pull: retrying cannot help.
const NAME_ERRORS = /not found|manifest unknown|does not exist|pull access denied|invalid reference|unauthorized|denied/i;

/**
 * Makes sure `image` is on the engine as `imagePullPolicy` asks: Never (must be present),
 * IfNotPresent (pull only when missing), Always (pull every time).
 *
 * A failed pull is terminal when no local copy exists: whether the registry has no such image
 * or cannot be reached at all (a machine without a registry), the job cannot start until a
 * person fixes the name, loads the image or restores the network, and retrying would only delay
 * a clear failure. With a local copy (policy Always) the pull failure is retryable: the registry
 * may come back, and restartPolicy decides how long to keep trying.
 */
export async function ensureImage(
  docker: Docker,
  spec: Pick<SparkJobSpec, 'image' | 'imagePullPolicy'>,
  signal: AbortSignal,
): Promise<'present' | 'pulled'> {
  const { image, imagePullPolicy: policy } = spec;
  const present = await imageExists(docker, image, signal);
  if (policy === 'Never') {
    if (present) return 'present';
    throw new ImageNotPresentError(
      `image ${image} is not present on this Docker engine and spec.imagePullPolicy is Never: load it (docker load / docker import) or set imagePullPolicy: IfNotPresent`,
    );
  }
  if (policy === 'IfNotPresent' && present) return 'present';
  try {
    await pull(docker, image, signal);
    return 'pulled';
  } catch (e) {
    if (isAbortError(e, signal)) throw e;
    if (isConnectionError(e))
      throw new EngineUnavailableError(`cannot reach the Docker engine to pull ${image}: start dockerd`, { cause: e });
    const detail = engineMessageOf(e);
    const what = NAME_ERRORS.test(detail)
      ? 'the registry has no image by that name, or denies access to it'
      : 'the registry could not be reached';
    const fix = present
      ? 'the local copy is kept; the pull is retried'
      : 'load the image locally (docker load / docker import) or fix spec.image';
    throw new ImagePullFailedError(`pulling image ${image} failed: ${what} (${detail}); ${fix}`, present ? 'retryable' : 'terminal', {
      cause: e,
    });
  }
}

/** Pulls one image, following the progress stream to its end; a stream error rejects. */
async function pull(docker: Docker, image: string, signal: AbortSignal): Promise<void> {
  const stream = (await docker.pull(image, { abortSignal: signal })) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      if (err) return reject(err);
      const failed = events.find((ev) => typeof ev.error === 'string');
      if (failed) return reject(new Error(failed.error));
      resolve();
    });
  });
}
