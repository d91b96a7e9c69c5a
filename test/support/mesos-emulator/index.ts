/**
 * A protocol-faithful Apache Mesos master emulator for tests: the v1 scheduler API as the Mesos
 * 1.11 master implements it (src/master/http.cpp, master.cpp, validation.cpp; stout's JSON
 * mapping), simulated agents whose Docker executor runs each task as a real local container.
 *
 *   const master = await startMesosMaster({ agents: [{ cpus: 2, mem: 2048, attributes: { rack: 'r1' } }],
 *                                           heartbeatIntervalSeconds: 0.2 });
 *   master.url            // 'http://127.0.0.1:PORT'  → POST `${url}/api/v1/scheduler`
 *   master.port, master.masterInfo, master.agentIds, master.workDir
 *   master.state          // the master's /state JSON (frameworks, tasks, slaves), taken now
 *   master.tasks()        // every task known: { id, frameworkId, agentId, state, statuses, sandbox, exitCode, … }
 *   master.calls()        // call bodies received; master.events(): events sent; master.messages(): both, in order
 *   master.pendingUpdates() // updates sent with a uuid and not yet acknowledged
 *   master.faults.dropStream({ frameworkId?, abrupt? }) / stopHeartbeats() / resumeHeartbeats()
 *                 / loseAgent(agentId) / partitionAgent(agentId) / healAgent(agentId) / failTask(taskId)
 *                 / failover() and noLeader() (pairs only)
 *   await master.close()  // servers, timers, task containers, temp work dir
 *
 *   const pair = await startMesosPair(options); pair.masters[0|1], pair.leader(), pair.faults.failover()
 *   As a process: npx tsx test/support/mesos-emulator/serve.ts '<options JSON>' (prints {"url",…}).
 *
 * Options (EmulatorOptions):
 *   agents                    [{ id?, hostname? ('127.0.0.1'), cpus? (4), mem? (4096 MB), disk? (10240 MB),
 *                               ports? ([[31000, 32000]]), attributes? ({ rack: 'r1' }), roles? (static reservation) }]
 *                             default: one agent with the defaults; ids default to `<masterId>-S<n>`.
 *   heartbeatIntervalSeconds  HEARTBEAT period and the advertised heartbeat_interval_seconds (15).
 *   offerRefuseDefaultSeconds refuse_seconds when DECLINE/ACCEPT gives no filters (5).
 *   allocationIntervalSeconds allocation cycle (1); offerTimeoutSeconds: RESCIND unanswered offers (never).
 *   statusUpdateRetrySeconds  first re-send of an unacknowledged update (10), doubling up to 600.
 *   killGraceSeconds          docker stop grace when KILL and the task give no kill_policy (3).
 *   agentReregisterDelaySeconds after failover(), how long the new leader knows no agent, task or
 *                             update of them (reconcile answers nothing for them meanwhile) (0).
 *   unreachableAgentMaxAgeSeconds registry_max_agent_age: a partitioned agent and its tasks are forgotten
 *                             after this (reconcile: TASK_UNKNOWN; healing then reads "Unknown agent reregistered") (never).
 *   docker                    dockerode instance or socket path (/var/run/docker.sock): tasks run as real
 *                             containers, network host|none, named mesos-<containerId>, labelled with
 *                             CONTAINER_LABELS only (task labels stay in Mesos); the sandbox is mounted at /mnt/mesos/sandbox
 *                             and receives the container's stdout/stderr; command.uris that are local paths,
 *                             file:// or loopback http(s) are fetched into it first (archives not extracted).
 *   workDir                   the agents' --work_dir (a temp dir removed by close()).
 *   recordFile                append `{"dir":"call"|"event","body":…}` lines; default $SPARKCTL_MESOS_RECORD.
 *   auth                      { principal, secret }: HTTP Basic required on /api/v1/scheduler (401 otherwise).
 *   tls                       { cert, key, ca?, requestCert? } (PEM): serve HTTPS; requestCert requires client certs.
 *                             createTestCerts(dir) writes a CA (trustedroot.crt), master.crt/key and a client
 *                             mesos.crt/key (the certsDir layout) with openssl.
 *   leader                    false: this master knows no leader and answers 503 "No leader elected".
 *   requireLibprocessSsl      true: a TLS-only cluster; a task whose environment lacks LIBPROCESS_SSL_ENABLED,
 *                             _CERT_FILE and _KEY_FILE (or names files missing from its volumes) fails to launch.
 *
 * Agents as the real ones: each sandbox is created 0750 and chowned to the task user (CommandInfo.user, else
 * FrameworkInfo.user, looked up in this host's /etc/passwd; unknown → TASK_LOST/DROPPED
 * REASON_EXECUTOR_TERMINATED); fetched files belong to that user; the container runs as the DockerInfo `user`
 * parameter, else the image's user. DockerInfo parameters become docker create options (user, cap-drop,
 * cap-add, security-opt, read-only, pids-limit, workdir, env, label; the last net/network sets the network);
 * an unknown key fails like the docker CLI (`unknown flag: --key`), and real flags this agent does not apply
 * (privileged, pid, volume, …) fail the launch instead of being dropped.
 *
 * Endpoints on the port: POST /api/v1/scheduler (and /master/api/v1/scheduler); GET /state,
 * /master/state, /health, /version, /redirect; the agents' /files/read, /files/browse,
 * /files/download and /slave(1)/state (offers' url and /state's slave pid point here).
 * Known deviations: application/x-protobuf calls answer 400 when not protobuf wire format, else
 * 501, and a SUBSCRIBE accepting only protobuf events gets 501 (the emulator speaks JSON);
 * BRIDGE/USER networks fail the task (no bridge on the test engine); tasks need a container
 * (DOCKER, or MESOS with a docker image) and a command: custom executors and LAUNCH_GROUP tasks
 * fail with REASON_CONTAINER_LAUNCH_FAILED; reservation and volume operations are not applied
 * (OPERATION_ERROR when they carry an id); a second master shares the first one's agents.
 */
export { startMesosMaster, startMesosPair, type MesosMaster, type MesosPair } from './start.js';
export type { MesosFaults } from './faults.js';
export type { AgentOptions, AuthOptions, EmulatedTask, EmulatorOptions, RecordedMessage, TlsOptions } from './types.js';
export type { PendingUpdate } from './status-updates.js';
export { CONTAINER_LABELS, SANDBOX_IN_CONTAINER } from './docker-run-spec.js';
export { encodeRecord } from './recordio-writer.js';
export { createTestCerts, type TestCerts } from './test-certs.js';
export type { Json, JsonObject } from './wire-json.js';
