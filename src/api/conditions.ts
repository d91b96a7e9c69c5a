/** Condition types, kstatus style: Succeeded for a bounded job, Reconciling while work goes on, Stalled when a human must act. */
export const ConditionType = {
  Succeeded: 'Succeeded',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
} as const;

/** PascalCase reasons used in conditions and events. */
export const Reason = {
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
  Deleted: 'Deleted',
  InvalidSpec: 'InvalidSpec',
  PolicyViolation: 'PolicyViolation',
  Adopted: 'Adopted',
  Orphaned: 'Orphaned',
  TaskLost: 'TaskLost',
} as const;
export type ReasonName = (typeof Reason)[keyof typeof Reason];
