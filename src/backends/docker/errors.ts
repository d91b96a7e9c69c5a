import { EngineOutageError, SparkctlError, type ErrorClass } from '../../errors.js';

/** The engine cannot be reached on its socket: start it, then the job retries. */
export class EngineUnavailableError extends EngineOutageError {
  override readonly code = 'SPARKCTL_DOCKER_ENGINE_UNAVAILABLE';
}

/** The engine answers but speaks an API older than the one sparkctl needs. */
export class EngineTooOldError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_API_TOO_OLD';
  override readonly errorClass = 'terminal';
  override readonly reason = 'EngineTooOld';
}

/** `imagePullPolicy: Never` and the image is not on this engine. */
export class ImageNotPresentError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_IMAGE_NOT_PRESENT';
  override readonly errorClass = 'terminal';
  override readonly reason = 'ImageNotPresent';
}

/** Pulling the image failed; the class depends on whether a local copy exists (see pull-image.ts). */
export class ImagePullFailedError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_IMAGE_PULL_FAILED';
  override readonly reason = 'ImagePullFailed';
  override readonly errorClass: ErrorClass;
  constructor(message: string, errorClass: ErrorClass, options?: { cause?: unknown }) {
    super(message, options);
    this.errorClass = errorClass;
  }
}

/** One job asks for more CPU or memory than this whole host has: it can never run here. */
export class InsufficientResourcesError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_INSUFFICIENT_RESOURCES';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InsufficientResources';
}

/** The Mesos secret named by `spec.mesos.secretRef` cannot be read. */
export class SecretUnavailableError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_SECRET_UNAVAILABLE';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InvalidSpec';
}

/** Creating or starting the driver container failed; terminal when the image cannot run spark-submit at all. */
export class ContainerStartError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_CONTAINER_START_FAILED';
  override readonly reason = 'SubmissionFailed';
  override readonly errorClass: ErrorClass;
  constructor(message: string, errorClass: ErrorClass, options?: { cause?: unknown }) {
    super(message, options);
    this.errorClass = errorClass;
  }
}

/** Any other engine call failed (inspect, logs, remove…; the engine answered with an error): usually worth a retry, never an outage. */
export class DockerCallError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_CALL_FAILED';
  override readonly errorClass = 'retryable';
  override readonly reason = 'EngineCallFailed';
}

/** An option given to createDockerBackend is unusable. */
export class DockerOptionsError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_OPTIONS_INVALID';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InvalidConfig';
}

/** The HTTP status of a dockerode error, if it carries one. */
export function statusCodeOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** Whether a dockerode error means the engine itself was not reached (socket missing, refused, denied). */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && ['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code)
  );
}

/** Whether a thrown value is the abort of a call (our signal fired). */
export function isAbortError(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'AbortError';
}

/** The engine's own message in a dockerode error (`(HTTP code 404) no such image - …` → the JSON message). */
export function engineMessageOf(e: unknown): string {
  const json = (e as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Calls a dockerode method whose typings lack the options overload, passing the abort signal (dockerode forwards it). */
export function callWithSignal<T>(target: object, method: (...args: never[]) => unknown, signal: AbortSignal): Promise<T> {
  return (method as unknown as (opts: { abortSignal: AbortSignal }) => Promise<T>).call(target, { abortSignal: signal });
}

/** A Mesos driver's image lacks libmesos at spec.mesos.nativeLibrary: no retry can fix the image. */
export class NativeLibraryMissingError extends SparkctlError {
  override readonly code = 'SPARKCTL_DOCKER_NATIVE_LIBRARY_MISSING';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InvalidSpec';
}
