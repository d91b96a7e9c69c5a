import { SparkctlError } from '../../errors.js';

/** The spec's `master` is not a Mesos master URL sparkctl can reach. */
export class MesosMasterUrlError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_MASTER_URL';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InvalidMaster';
}

/** `spec.mesos.secretRef` could not be resolved (the message names the source, never the value). */
export class MesosSecretError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_SECRET';
  override readonly errorClass = 'terminal';
  override readonly reason = 'SecretUnavailable';
}

/** `spec.mesos.certsDir` lacks a readable mesos.crt, mesos.key or trustedroot.crt. */
export class MesosCertsError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_CERTS';
  override readonly errorClass = 'terminal';
  override readonly reason = 'CertificatesUnavailable';
}

/** The event stream broke the RecordIO framing (bad length prefix, oversized or truncated record). */
export class RecordIoError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_RECORDIO';
}

/** A scheduler call was answered with an unexpected HTTP status. */
export class MesosCallError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_CALL';
  override readonly reason = 'MesosCallFailed';
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The master answered 401: the principal or the secret is wrong. */
export class MesosUnauthorizedError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_UNAUTHORIZED';
  override readonly errorClass = 'terminal';
  override readonly reason = 'Unauthorized';
}

/** The master refused the subscription with an ERROR event (bad role, removed framework, …). */
export class MesosSubscriptionRefusedError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_SUBSCRIPTION_REFUSED';
  override readonly errorClass = 'terminal';
  override readonly reason = 'SubscriptionRefused';
}

/** No subscription is live right now (closed, or still reconnecting when the caller gave up). */
export class MesosNotSubscribedError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_NOT_SUBSCRIBED';
  override readonly reason = 'MasterUnreachable';
}

/** The held offer is gone (rescinded, or the subscription was renewed); ask for resources again. */
export class MesosOfferLostError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_OFFER_LOST';
  override readonly reason = 'OfferRescinded';
}

/** The master refused the driver task (TASK_ERROR): the spec must change. */
export class MesosTaskInvalidError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_TASK_INVALID';
  override readonly errorClass = 'terminal';
  override readonly reason = 'TaskInvalid';
}

/** A task launched earlier has not been reported by reconciliation yet; launching again could double it. */
export class MesosTaskStateUnknownError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_TASK_STATE_UNKNOWN';
  override readonly reason = 'Reconciling';
}

/** A killed task did not reach a terminal state in time. */
export class MesosKillTimeoutError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_KILL_TIMEOUT';
  override readonly reason = 'KillTimeout';
}

/** Reading the task sandbox through the agent's /files/read failed. */
export class MesosSandboxError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_SANDBOX';
  override readonly reason = 'SandboxUnreadable';
}

/** The spec cannot run as a Mesos task (no mesos:// master, no mesos section where one is needed, …). */
export class MesosSpecError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_SPEC';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InvalidSpec';
}

/** The framework store in the state dir cannot be read. */
export class MesosStoreError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_STORE';
  override readonly errorClass = 'terminal';
  override readonly reason = 'StateUnreadable';
}

/** A cluster-mode driver would dial a loopback master, i.e. its own agent, and never register. */
export class MesosLoopbackMasterError extends SparkctlError {
  override readonly code = 'SPARKCTL_MESOS_LOOPBACK_MASTER';
  override readonly errorClass = 'terminal';
  override readonly reason = 'InvalidMaster';
}
