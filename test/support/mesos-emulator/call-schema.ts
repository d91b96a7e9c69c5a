/** The scalar kinds of proto fields, as stout's JSON → protobuf converter treats them. */
export type Scalar = 'string' | 'bytes' | 'bool' | 'double' | 'int';

/** One proto field: its type, and whether it is required (proto2), repeated or a map. */
export interface FieldSpec {
  readonly type: Scalar | { readonly enum: readonly string[] } | { readonly message: string } | 'opaque';
  readonly required?: boolean;
  readonly repeated?: boolean;
  readonly map?: boolean;
}

const s = (type: Scalar, required = false): FieldSpec => ({ type, required });
const m = (message: string, required = false): FieldSpec => ({ type: { message }, required });
const rm = (message: string): FieldSpec => ({ type: { message }, repeated: true });
const e = (values: readonly string[], required = false): FieldSpec => ({ type: { enum: values }, required });
const rs = (type: Scalar): FieldSpec => ({ type, repeated: true });
/** A message the emulator does not inspect: any JSON object is taken as is. */
const opaque: FieldSpec = { type: 'opaque' };

const CALL_TYPES = [
  'UNKNOWN', 'SUBSCRIBE', 'TEARDOWN', 'ACCEPT', 'DECLINE', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS',
  'REVIVE', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'ACKNOWLEDGE_OPERATION_STATUS', 'RECONCILE',
  'RECONCILE_OPERATIONS', 'MESSAGE', 'REQUEST', 'SUPPRESS', 'UPDATE_FRAMEWORK',
] as const;
const CAPABILITIES = [
  'UNKNOWN', 'REVOCABLE_RESOURCES', 'TASK_KILLING_STATE', 'GPU_RESOURCES', 'SHARED_RESOURCES',
  'PARTITION_AWARE', 'MULTI_ROLE', 'RESERVATION_REFINEMENT', 'REGION_AWARE',
] as const;
const OPERATION_TYPES = [
  'UNKNOWN', 'LAUNCH', 'LAUNCH_GROUP', 'RESERVE', 'UNRESERVE', 'CREATE', 'DESTROY', 'GROW_VOLUME',
  'SHRINK_VOLUME', 'CREATE_DISK', 'DESTROY_DISK',
] as const;

/** The part of mesos.v1 / mesos.v1.scheduler the emulator parses, with the real required flags. */
export const MESSAGES: Readonly<Record<string, Readonly<Record<string, FieldSpec>>>> = {
  Call: {
    framework_id: m('FrameworkID'), type: e(CALL_TYPES), subscribe: m('Subscribe'), accept: m('Accept'),
    decline: m('Decline'), accept_inverse_offers: opaque, decline_inverse_offers: opaque, revive: m('Revive'),
    kill: m('Kill'), shutdown: m('Shutdown'), acknowledge: m('Acknowledge'),
    acknowledge_operation_status: opaque, reconcile: m('Reconcile'), reconcile_operations: opaque,
    message: m('Message'), request: m('Request'), suppress: m('Suppress'), update_framework: m('UpdateFramework'),
  },
  FrameworkID: { value: s('string', true) },
  OfferID: { value: s('string', true) },
  AgentID: { value: s('string', true) },
  TaskID: { value: s('string', true) },
  ExecutorID: { value: s('string', true) },
  Subscribe: { framework_info: m('FrameworkInfo', true), suppressed_roles: rs('string'), offer_constraints: opaque },
  UpdateFramework: { framework_info: m('FrameworkInfo', true), suppressed_roles: rs('string'), offer_constraints: opaque },
  FrameworkInfo: {
    user: s('string', true), name: s('string', true), id: m('FrameworkID'), failover_timeout: s('double'),
    checkpoint: s('bool'), role: s('string'), roles: rs('string'), hostname: s('string'), principal: s('string'),
    webui_url: s('string'), capabilities: rm('Capability'), labels: m('Labels'), offer_filters: { type: 'opaque', map: true },
  },
  Capability: { type: e(CAPABILITIES) },
  Labels: { labels: rm('Label') },
  Label: { key: s('string', true), value: s('string') },
  Filters: { refuse_seconds: s('double') },
  Accept: { offer_ids: rm('OfferID'), operations: rm('Operation'), filters: m('Filters') },
  Decline: { offer_ids: rm('OfferID'), filters: m('Filters') },
  Revive: { roles: rs('string') },
  Suppress: { roles: rs('string') },
  Kill: { task_id: m('TaskID', true), agent_id: m('AgentID'), kill_policy: m('KillPolicy') },
  KillPolicy: { grace_period: m('DurationInfo') },
  DurationInfo: { nanoseconds: s('int', true) },
  Shutdown: { executor_id: m('ExecutorID', true), agent_id: m('AgentID', true) },
  Acknowledge: { agent_id: m('AgentID', true), task_id: m('TaskID', true), uuid: s('bytes', true) },
  Reconcile: { tasks: rm('ReconcileTask') },
  ReconcileTask: { task_id: m('TaskID', true), agent_id: m('AgentID') },
  Message: { agent_id: m('AgentID', true), executor_id: m('ExecutorID', true), data: s('bytes', true) },
  Request: { requests: rm('ResourceRequest') },
  ResourceRequest: { agent_id: m('AgentID'), resources: rm('Resource') },
  Operation: {
    type: e(OPERATION_TYPES), id: opaque, launch: m('Launch'), launch_group: m('LaunchGroup'), reserve: opaque,
    unreserve: opaque, create: opaque, destroy: opaque, grow_volume: opaque, shrink_volume: opaque,
    create_disk: opaque, destroy_disk: opaque,
  },
  Launch: { task_infos: rm('TaskInfo') },
  LaunchGroup: { executor: m('ExecutorInfo', true), task_group: m('TaskGroupInfo', true) },
  TaskGroupInfo: { tasks: rm('TaskInfo') },
  ExecutorInfo: {
    type: e(['UNKNOWN', 'DEFAULT', 'CUSTOM']), executor_id: m('ExecutorID', true), framework_id: m('FrameworkID'),
    command: m('CommandInfo'), container: m('ContainerInfo'), resources: rm('Resource'), name: s('string'),
    source: s('string'), data: s('bytes'), discovery: opaque, shutdown_grace_period: opaque, labels: m('Labels'),
  },
  TaskInfo: {
    name: s('string', true), task_id: m('TaskID', true), agent_id: m('AgentID', true), resources: rm('Resource'),
    executor: m('ExecutorInfo'), command: m('CommandInfo'), container: m('ContainerInfo'), health_check: opaque,
    check: opaque, kill_policy: m('KillPolicy'), data: s('bytes'), labels: m('Labels'), discovery: opaque,
    max_completion_time: m('DurationInfo'), limits: { type: { message: 'Scalar' }, map: true },
  },
  Resource: {
    provider_id: opaque, name: s('string', true), type: e(['SCALAR', 'RANGES', 'SET', 'TEXT'], true),
    scalar: m('Scalar'), ranges: m('Ranges'), set: m('Set'), role: s('string'), allocation_info: m('AllocationInfo'),
    reservation: opaque, reservations: { type: 'opaque', repeated: true }, disk: opaque, revocable: opaque, shared: opaque,
  },
  AllocationInfo: { role: s('string') },
  Scalar: { value: s('double', true) },
  Ranges: { range: rm('Range') },
  Range: { begin: s('int', true), end: s('int', true) },
  Set: { item: rs('string') },
  CommandInfo: {
    uris: rm('URI'), environment: m('Environment'), shell: s('bool'), value: s('string'), arguments: rs('string'),
    user: s('string'),
  },
  URI: { value: s('string', true), executable: s('bool'), extract: s('bool'), cache: s('bool'), output_file: s('string') },
  Environment: { variables: rm('Variable') },
  Variable: { name: s('string', true), type: e(['UNKNOWN', 'VALUE', 'SECRET']), value: s('string'), secret: opaque },
  ContainerInfo: {
    type: e(['DOCKER', 'MESOS'], true), volumes: rm('Volume'), hostname: s('string'), docker: m('DockerInfo'),
    mesos: opaque, network_infos: { type: 'opaque', repeated: true }, linux_info: opaque, rlimit_info: opaque, tty_info: opaque,
  },
  DockerInfo: {
    image: s('string', true), network: e(['HOST', 'BRIDGE', 'NONE', 'USER']), port_mappings: rm('PortMapping'),
    privileged: s('bool'), parameters: rm('Parameter'), force_pull_image: s('bool'), volume_driver: s('string'),
  },
  PortMapping: { host_port: s('int', true), container_port: s('int', true), protocol: s('string') },
  Parameter: { key: s('string', true), value: s('string', true) },
  Volume: {
    mode: e(['RW', 'RO'], true), container_path: s('string', true), host_path: s('string'), image: opaque, source: opaque,
  },
};
