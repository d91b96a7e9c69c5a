/** Condition types, kstatus style: Succeeded for a bounded job, Reconciling while work goes on, Stalled when a human must act. */
export const ConditionType = {
  Succeeded: 'Succeeded',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
} as const;

/** PascalCase reasons used in conditions, events and errors: the one list (a reason outside it does not compile). */
export const Reason = {
  // A job's lifecycle (conditions and events).
  Pending: 'Pending',
  Connecting: 'Connecting',
  EngineUnavailable: 'EngineUnavailable',
  RequestingResources: 'RequestingResources',
  InsufficientResources: 'InsufficientResources',
  ImagePullFailed: 'ImagePullFailed',
  ImageNotPresent: 'ImageNotPresent',
  Submitted: 'Submitted',
  Running: 'Running',
  Collecting: 'Collecting',
  Releasing: 'Releasing',
  Completed: 'Completed',
  Cached: 'Cached',
  DriverFailed: 'DriverFailed',
  SubmissionFailed: 'SubmissionFailed',
  Retrying: 'Retrying',
  BackoffLimitExceeded: 'BackoffLimitExceeded',
  StartDeadlineExceeded: 'StartDeadlineExceeded',
  ActiveDeadlineExceeded: 'ActiveDeadlineExceeded',
  Suspended: 'Suspended',
  SpecChanged: 'SpecChanged',
  SpecValid: 'SpecValid',
  Added: 'Added',
  Deleted: 'Deleted',
  Invalid: 'Invalid',
  InvalidSpec: 'InvalidSpec',
  PolicyViolation: 'PolicyViolation',
  Adopted: 'Adopted',
  Orphaned: 'Orphaned',
  TaskLost: 'TaskLost',
  JournalUnavailable: 'JournalUnavailable',
  JournalVersionUnknown: 'JournalVersionUnknown',
  JournalUnreadable: 'JournalUnreadable',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  // Errors (a SparkctlError's reason).
  EngineTooOld: 'EngineTooOld',
  EngineCallFailed: 'EngineCallFailed',
  SecretUnavailable: 'SecretUnavailable',
  InvalidMaster: 'InvalidMaster',
  InvalidManifest: 'InvalidManifest',
  InvalidConfig: 'InvalidConfig',
  Unauthorized: 'Unauthorized',
  TaskInvalid: 'TaskInvalid',
  SyncTimeout: 'SyncTimeout',
  SubscriptionRefused: 'SubscriptionRefused',
  StatusWriteFailed: 'StatusWriteFailed',
  StatusBranchNotOwned: 'StatusBranchNotOwned',
  StateUnreadable: 'StateUnreadable',
  StateLockUnavailable: 'StateLockUnavailable',
  SandboxUnreadable: 'SandboxUnreadable',
  Reconciling: 'Reconciling',
  OfferRescinded: 'OfferRescinded',
  NotFound: 'NotFound',
  NoController: 'NoController',
  MesosCallFailed: 'MesosCallFailed',
  MasterUnreachable: 'MasterUnreachable',
  ManifestUnreadable: 'ManifestUnreadable',
  KillTimeout: 'KillTimeout',
  JobsPathInUse: 'JobsPathInUse',
  JobsDirUnreadable: 'JobsDirUnreadable',
  InvalidMetricsAddress: 'InvalidMetricsAddress',
  HashKeyUnavailable: 'HashKeyUnavailable',
  EditFailed: 'EditFailed',
  CredentialsFileUnusable: 'CredentialsFileUnusable',
  ControllerLocked: 'ControllerLocked',
  ControlSocketUnavailable: 'ControlSocketUnavailable',
  CheckFailed: 'CheckFailed',
  CertificatesUnavailable: 'CertificatesUnavailable',
  CloneFailed: 'CloneFailed',
  FetchFailed: 'FetchFailed',
  AuthFailed: 'AuthFailed',
  RefNotFound: 'RefNotFound',
  PathNotFound: 'PathNotFound',
  CheckoutFailed: 'CheckoutFailed',
  GitUnavailable: 'GitUnavailable',
  Usage: 'Usage',
  Error: 'Error',
} as const;
/** One of Reason's values. */
export type ReasonName = (typeof Reason)[keyof typeof Reason];

/** Reasons whose events are Warnings whatever the phase: a job waits on something a person may need to fix. */
const WARNING_REASONS: ReadonlySet<ReasonName> = new Set<ReasonName>(['InsufficientResources', 'EngineUnavailable', 'JournalUnavailable', 'Orphaned', 'InvalidSpec', 'PolicyViolation']);

/** The event type of a reason: Warning for the reasons above and for failing phases, Normal otherwise. */
export function severityOf(reason: ReasonName, phase?: string): 'Normal' | 'Warning' {
  return WARNING_REASONS.has(reason) || phase === 'Failed' || phase === 'Retrying' || phase === 'Invalid' ? 'Warning' : 'Normal';
}
