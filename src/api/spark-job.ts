import { z } from 'zod';
import { API_VERSION, KIND } from './identity.js';

// The names and the backend choice live in identity.ts (no zod), re-exported here.
export { API_VERSION, KIND, backendFor, isMesosMaster } from './identity.js';

/** A DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Spark memory strings: a whole number with an optional k/m/g/t unit (and optional b). */
export const MEMORY_PATTERN = /^[1-9][0-9]*([kKmMgGtT][bB]?)?$/;
/** Spark masters sparkctl can drive: local modes and Mesos (direct or through ZooKeeper). */
export const MASTER_PATTERN =
  /^(local|local\[(\*|[1-9][0-9]*)\]|mesos:\/\/[A-Za-z0-9.-]+:[0-9]{1,5}|mesos:\/\/zk:\/\/[A-Za-z0-9.-]+:[0-9]{1,5}(,[A-Za-z0-9.-]+:[0-9]{1,5})*(\/[A-Za-z0-9._/-]*)?)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const absolutePath = (what: string) =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => p.startsWith('/'), { message: `${what} must be an absolute path (start with /)` })
    .refine((p) => !p.split('/').includes('..'), { message: `${what} must not contain '..'` })
    .refine((p) => !p.includes('\0'), { message: `${what} must not contain NUL` });

/**
 * Where a control character sits in a text, or -1. Refused everywhere a manifest string reaches
 * an argv or an environment: NUL (which the engine rejects, quoting the whole value back), the
 * other C0 controls, DEL and the C1 controls (terminal escapes). Tab, line feed and carriage
 * return stay allowed in `lines` texts (env values, arguments, conf values: a PEM key or a
 * multi-line option is legitimate there), never in names and keys.
 */
export function controlCharAt(text: string, lines: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? !(lines && (c === 0x09 || c === 0x0a || c === 0x0d)) : c >= 0x7f && c <= 0x9f) return i;
  }
  return -1;
}

/** A string refused when it holds a control character; the message names the character and place, never the value (it may be a secret). */
const plainText = (what: string, lines: boolean) =>
  z.string().superRefine((v, ctx) => {
    const i = controlCharAt(v, lines);
    if (i < 0) return;
    const code = `U+${v.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
    const allowed = lines ? ' (tab and line breaks are allowed)' : '';
    ctx.addIssue({
      code: 'custom',
      message: `${what} must not contain control characters${allowed}: found ${code} at character ${i + 1}; remove it`,
    });
  });

/** Spark conf keys whose value is a secret: it would sit on the spark-submit command line. */
const SECRET_CONF_KEYS = new Set(['spark.mesos.secret']);

const memory = z
  .string()
  .regex(MEMORY_PATTERN, { message: 'memory must look like 512m, 2g or 1024 (a number and an optional k/m/g/t unit)' });

const positiveInt = z.number().int().positive();

export const EnvVarSchema = z.strictObject({
  name: z.string().regex(ENV_NAME, { message: 'env name must match [A-Za-z_][A-Za-z0-9_]*' }),
  value: plainText('env value', true).default(''),
  /** A secret value is passed to the driver but never shown in status, events, logs or the CLI. */
  secret: z.boolean().default(false),
});

export const DriverSchema = z.strictObject({
  cores: z.number().positive().max(1024).default(1),
  memory: memory.default('1024m'),
  memoryOverhead: memory.optional(),
  env: z.array(EnvVarSchema).max(256).default([]),
});

export const ExecutorSchema = z.strictObject({
  // Whole cores: Spark reads spark.executor.cores with toInt (SparkSubmitArguments, MesosCoarseGrainedSchedulerBackend).
  cores: z
    .number()
    .int({ message: 'executor cores must be a whole number: Spark reads spark.executor.cores as an int' })
    .positive()
    .max(1024)
    .default(1),
  memory: memory.default('1024m'),
  instances: z.number().int().nonnegative().max(10_000).default(1),
  totalCores: positiveInt.optional(),
});

export const VolumeSchema = z.strictObject({
  hostPath: absolutePath('hostPath'),
  containerPath: absolutePath('containerPath'),
  readOnly: z.boolean().default(false),
});

export const SecretRefSchema = z.union([
  z.strictObject({ env: z.string().regex(ENV_NAME) }),
  z.strictObject({ file: absolutePath('secretRef.file') }),
]);

/** Where Mesos's native library sits in the image unless `spec.mesos.nativeLibrary` says otherwise. */
export const DEFAULT_MESOS_NATIVE_LIBRARY = '/usr/lib/libmesos.so';

/** libprocess TLS knobs beyond the certificates (Mesos docs/ssl.md); unset ones keep libprocess's defaults. */
export const MesosTlsSchema = z.strictObject({
  verifyServerCert: z.boolean().optional().describe('LIBPROCESS_SSL_VERIFY_SERVER_CERT (and its pre-1.10 name LIBPROCESS_SSL_VERIFY_CERT)'),
  supportDowngrade: z.boolean().optional().describe('LIBPROCESS_SSL_SUPPORT_DOWNGRADE: accept non-TLS peers (for clusters moving to TLS)'),
});

export const MesosSchema = z.strictObject({
  role: z.string().min(1).max(255).default('*'),
  principal: z.string().min(1).max(255).optional(),
  secretRef: SecretRefSchema.optional(),
  certsDir: absolutePath('certsDir').optional(),
  executorImage: z.string().min(1).max(512).optional(),
  containerizer: z.enum(['docker', 'mesos']).default('docker'),
  constraints: z.string().max(1024).optional(),
  nativeLibrary: absolutePath('mesos.nativeLibrary')
    .default(DEFAULT_MESOS_NATIVE_LIBRARY)
    .describe('libmesos inside the image, passed as MESOS_NATIVE_JAVA_LIBRARY; the image must ship it (apache/spark images do not)'),
  tls: MesosTlsSchema.optional(),
});

export const OutputSchema = z.strictObject({
  name: z.string().regex(DNS1123_LABEL, { message: 'output name must be a DNS-1123 label' }).max(63),
  path: absolutePath('output path'),
});

export const RestartPolicySchema = z.strictObject({
  type: z.enum(['Never', 'OnFailure', 'Always']).default('Never'),
  onFailureRetries: z.number().int().nonnegative().max(1000).default(3),
  onFailureRetryInterval: z.number().int().nonnegative().max(86_400).default(10),
  onSubmissionFailureRetries: z.number().int().nonnegative().max(1000).default(3),
  onSubmissionFailureRetryInterval: z.number().int().nonnegative().max(86_400).default(5),
});

export const SparkJobSpecSchema = z
  .strictObject({
    image: z
      .string()
      .min(1)
      .max(512)
      .regex(/^[^\s]+$/, { message: 'image must not contain white space' }),
    imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    sparkHome: absolutePath('sparkHome').default('/opt/spark'),
    type: z
      .enum(['Scala', 'Java', 'Python', 'R'])
      .default('Scala')
      .describe(
        'Scala and Java need mainClass. Python runs on apache/spark:<version> (its python3 variant); R needs the R variant apache/spark:<version>-r, the default image has no R',
      ),
    master: z
      .string()
      .regex(MASTER_PATTERN, {
        message: 'master must be local, local[N], local[*], mesos://host:port or mesos://zk://host:port,…/path',
      })
      .default('local[*]'),
    mode: z.enum(['client', 'cluster']).default('client'),
    mainApplicationFile: plainText('mainApplicationFile', false).min(1).max(4096),
    mainClass: plainText('mainClass', false).min(1).max(1024).optional(),
    arguments: z.array(plainText('an argument', true).max(65_536)).max(1024).default([]),
    sparkConf: z
      .record(
        plainText('a sparkConf key', false)
          .min(1)
          .max(1024)
          .refine((k) => !SECRET_CONF_KEYS.has(k), {
            message: 'a secret in sparkConf would sit on the spark-submit command line: set spec.mesos.secretRef instead',
          }),
        z.union([plainText('a sparkConf value', true), z.number(), z.boolean()]),
      )
      .default({}),
    driver: DriverSchema.default(DriverSchema.parse({})),
    executor: ExecutorSchema.default(ExecutorSchema.parse({})),
    network: z.enum(['none', 'host']).default('none'),
    volumes: z.array(VolumeSchema).max(64).default([]),
    mesos: MesosSchema.optional(),
    outputs: z.array(OutputSchema).max(64).default([]),
    cache: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
    restartPolicy: RestartPolicySchema.default(RestartPolicySchema.parse({})),
    startDeadlineSeconds: positiveInt.optional(),
    activeDeadlineSeconds: positiveInt.optional(),
    timeToLiveSeconds: positiveInt.optional(),
    suspend: z.boolean().default(false),
  })
  .superRefine((spec, ctx) => {
    const mesos = spec.master.startsWith('mesos://');
    if (spec.mode === 'cluster' && !mesos) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: `mode cluster needs a mesos:// master (master is ${spec.master}); use mode: client for local masters`,
      });
    }
    if (mesos && spec.mode === 'client' && spec.network !== 'host') {
      ctx.addIssue({
        code: 'custom',
        path: ['network'],
        message: 'a Mesos client-mode driver must be reachable by its executors: set network: host',
      });
    }
    if ((spec.type === 'Python' || spec.type === 'R') && spec.mainClass !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['mainClass'], message: `mainClass is for Scala and Java jobs, not ${spec.type}` });
    }
    // spark-submit cannot read the Main-Class of a local:// (or remote) jar and refuses it without --class (SparkSubmitArguments).
    if ((spec.type === 'Scala' || spec.type === 'Java') && spec.mainClass === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['mainClass'],
        message: `mainClass is required for ${spec.type} jobs: spark-submit refuses a jar without --class; set the application's main class`,
      });
    }
    // Spark rounds spark.cores.max down to a multiple of spark.executor.cores (MesosCoarseGrainedSchedulerBackend): below one executor it
    // launches none.
    if (spec.executor.totalCores !== undefined && spec.executor.totalCores < spec.executor.cores) {
      ctx.addIssue({
        code: 'custom',
        path: ['executor', 'totalCores'],
        message: `executor.totalCores (${spec.executor.totalCores}) is below executor.cores (${spec.executor.cores}): no executor would start; raise totalCores or lower cores`,
      });
    }
    const names = new Set<string>();
    spec.outputs.forEach((o, i) => {
      if (names.has(o.name)) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'name'], message: `duplicate output name ${o.name}` });
      names.add(o.name);
    });
  });

export const MetadataSchema = z.strictObject({
  name: z.string().min(1).max(63, { message: 'name must be at most 63 characters' }).regex(DNS1123_LABEL, {
    message: 'name must be a DNS-1123 label: lower-case letters, digits and -, starting and ending with a letter or digit',
  }),
  labels: z.record(z.string().regex(LABEL_KEY).max(317), z.string().max(63)).default({}),
  annotations: z.record(z.string().max(317), z.string().max(65_536)).default({}),
});

/** The whole SparkJob manifest. `status` is accepted but ignored: the controller owns it. */
export const SparkJobSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { message: `apiVersion must be ${API_VERSION}` }),
  kind: z.literal(KIND, { message: `kind must be ${KIND} (or ScheduledSparkJob for a schedule of runs)` }),
  metadata: MetadataSchema,
  spec: SparkJobSpecSchema,
  status: z.unknown().optional(),
});

export type SparkJob = z.output<typeof SparkJobSchema>;
export type SparkJobInput = z.input<typeof SparkJobSchema>;
export type SparkJobSpec = z.output<typeof SparkJobSpecSchema>;
export type EnvVar = z.output<typeof EnvVarSchema>;
export type Volume = z.output<typeof VolumeSchema>;
export type MesosSpec = z.output<typeof MesosSchema>;
export type RestartPolicy = z.output<typeof RestartPolicySchema>;

/** The annotation whose new value asks the controller to run a finished job again. */
export const RERUN_ANNOTATION = 'sparkctl.io/requestedAt';

/** Parses a Spark memory string into MiB (rounded up), as Spark and the engines reserve it. */
export function memoryToMiB(value: string): number {
  const m = /^([0-9]+)([kKmMgGtT])?[bB]?$/.exec(value);
  if (!m) throw new RangeError(`not a memory string: ${value}`);
  const n = Number(m[1]);
  switch ((m[2] ?? 'm').toLowerCase()) {
    case 'k':
      return Math.ceil(n / 1024);
    case 'g':
      return n * 1024;
    case 't':
      return n * 1024 * 1024;
    default:
      return n;
  }
}
