import { z } from 'zod';
import { stringify } from 'yaml';
import { SCHEDULED_KIND, ScheduledSparkJobSchema, ScheduledSparkJobStatusSchema } from '../api/scheduled-spark-job.js';
import { API_VERSION, KIND, SparkJobSchema } from '../api/spark-job.js';
import { SparkJobStatusSchema } from '../api/status.js';

type Schema = Record<string, unknown>;

const GROUP = API_VERSION.split('/')[0]!;
const VERSION = API_VERSION.split('/')[1]!;
const STATUS_DESCRIPTION = 'Written by the controller; anything a user puts here is ignored.';

/** Where the committed schema files live, relative to the repository root. */
export const SCHEMA_FILES = { jsonSchema: 'crd-schemas/sparkjob.schema.json', crd: 'crd-schemas/sparkjob-crd.yaml' } as const;
/** The same for ScheduledSparkJob. */
export const SCHEDULE_SCHEMA_FILES = {
  jsonSchema: 'crd-schemas/scheduledsparkjob.schema.json',
  crd: 'crd-schemas/scheduledsparkjob-crd.yaml',
} as const;

function jsonSchemaOf(schema: z.ZodType, kind: string, file: string, description: string): Schema {
  const generated = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' }) as Schema;
  const properties = generated.properties as Record<string, Schema>;
  properties.status = { description: STATUS_DESCRIPTION };
  return {
    $schema: generated.$schema,
    $id: `https://${GROUP}/schemas/${VERSION}/${file}`,
    title: kind,
    description,
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== '$schema')),
  };
}

/** The JSON Schema (draft-07) of a SparkJob manifest as a user writes it (defaults optional). */
export function jsonSchema(): Schema {
  return jsonSchemaOf(
    SparkJobSchema,
    KIND,
    'sparkjob.schema.json',
    `A Spark job for sparkctl (${API_VERSION}). Generated from src/api/spark-job.ts by npm run gen:schemas.`,
  );
}

/** The JSON Schema file's exact text. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(jsonSchema(), null, 2)}\n`;
}

/** The JSON Schema of a ScheduledSparkJob manifest. */
export function scheduleJsonSchema(): Schema {
  return jsonSchemaOf(
    ScheduledSparkJobSchema,
    SCHEDULED_KIND,
    'scheduledsparkjob.schema.json',
    `A Spark job run on a cron schedule by sparkctl (${API_VERSION}). Generated from src/api/scheduled-spark-job.ts by npm run gen:schemas.`,
  );
}

/** The ScheduledSparkJob JSON Schema file's exact text. */
export function scheduleJsonSchemaText(): string {
  return `${JSON.stringify(scheduleJsonSchema(), null, 2)}\n`;
}

/**
 * Makes an OpenAPI v3.0 schema structural, as Kubernetes requires: every node typed, no
 * `additionalProperties: false`, unions of objects merged into one object whose `oneOf` only
 * lists required fields, unions of scalars kept as any-value leaves.
 */
export function toStructural(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    if (key === '$schema' || key === 'propertyNames') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toStructural(v)]));
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = toStructural(value as Schema);
    } else out[key] = value;
  }
  const union = (node.anyOf ?? node.oneOf) as Schema[] | undefined;
  if (union === undefined) return out;
  delete out.anyOf;
  delete out.oneOf;
  if (union.every((branch) => branch.type === 'object')) {
    const merged = union.map(toStructural);
    out.type = 'object';
    out.properties = Object.assign({}, ...merged.map((b) => b.properties as Schema));
    out.oneOf = merged.map((b) => ({ required: b.required ?? [] }));
    return out;
  }
  const types = union.map((b) => String(b.type)).join(', ');
  return { ...out, description: `One of: ${types}.`, 'x-kubernetes-preserve-unknown-fields': true };
}

/** What differs between the CRDs of sparkctl's kinds. */
interface CrdKind {
  readonly kind: string;
  readonly plural: string;
  readonly shortName: string;
  readonly description: string;
  readonly schema: z.ZodType;
  readonly status: z.ZodType;
  readonly columns: readonly Schema[];
}

const openapi = (schema: z.ZodType) => toStructural(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' }) as Schema);

/** A CustomResourceDefinition (apiextensions.k8s.io/v1) of one kind, generated from its zod schema; status is a subresource. */
function crdOf(k: CrdKind): Schema {
  const properties = openapi(k.schema).properties as Record<string, Schema>;
  const openAPIV3Schema: Schema = {
    type: 'object',
    description: k.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: properties.spec,
      status: { ...openapi(k.status), description: STATUS_DESCRIPTION },
    },
  };
  const singular = k.kind.toLowerCase();
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular, shortNames: [k.shortName] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: k.columns,
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}

/** The SparkJob CustomResourceDefinition (apiextensions.k8s.io/v1) generated from the same schema. */
export function crdDocument(): Schema {
  return crdOf({
    kind: KIND,
    plural: 'sparkjobs',
    shortName: 'sj',
    description: 'A Spark job run by sparkctl on Docker or Apache Mesos.',
    schema: SparkJobSchema,
    status: SparkJobStatusSchema,
    columns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Attempts', type: 'integer', jsonPath: '.status.executionAttempts' },
      { name: 'Master', type: 'string', jsonPath: '.spec.master', priority: 1 },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}

/** The CRD file's exact text. */
export function crdText(): string {
  const header = '# Generated from src/api/spark-job.ts by `npm run gen:schemas`; do not edit by hand.\n';
  return header + stringify(crdDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** The ScheduledSparkJob CustomResourceDefinition, generated from its schema. */
export function scheduleCrdDocument(): Schema {
  return crdOf({
    kind: SCHEDULED_KIND,
    plural: 'scheduledsparkjobs',
    shortName: 'ssj',
    description: 'A Spark job run on a cron schedule by sparkctl: each run is a SparkJob named <name>-<scheduled unix time>.',
    schema: ScheduledSparkJobSchema,
    status: ScheduledSparkJobStatusSchema,
    columns: [
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
      { name: 'Last Schedule', type: 'date', jsonPath: '.status.lastScheduleTime' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}

/** The ScheduledSparkJob CRD file's exact text. */
export function scheduleCrdText(): string {
  const header = '# Generated from src/api/scheduled-spark-job.ts by `npm run gen:schemas`; do not edit by hand.\n';
  return header + stringify(scheduleCrdDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}
