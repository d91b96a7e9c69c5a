import { z } from 'zod';
import { stringify } from 'yaml';
import { API_VERSION, KIND, SparkJobSchema } from '../api/spark-job.js';
import { SparkJobStatusSchema } from '../api/status.js';

type Schema = Record<string, unknown>;

const GROUP = API_VERSION.split('/')[0]!;
const VERSION = API_VERSION.split('/')[1]!;
const STATUS_DESCRIPTION = 'Written by the controller; anything a user puts here is ignored.';

/** Where the committed schema files live, relative to the repository root. */
export const SCHEMA_FILES = { jsonSchema: 'crd-schemas/sparkjob.schema.json', crd: 'crd-schemas/sparkjob-crd.yaml' } as const;

/** The JSON Schema (draft-07) of a SparkJob manifest as a user writes it (defaults optional). */
export function jsonSchema(): Schema {
  const schema = z.toJSONSchema(SparkJobSchema, { io: 'input', target: 'draft-7' }) as Schema;
  const properties = schema.properties as Record<string, Schema>;
  properties.status = { description: STATUS_DESCRIPTION };
  return {
    $schema: schema.$schema,
    $id: `https://${GROUP}/schemas/${VERSION}/sparkjob.schema.json`,
    title: KIND,
    description: `A Spark job for sparkctl (${API_VERSION}). Generated from src/api/spark-job.ts by npm run gen:schemas.`,
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** The JSON Schema file's exact text. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(jsonSchema(), null, 2)}\n`;
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

/** The SparkJob CustomResourceDefinition (apiextensions.k8s.io/v1) generated from the same schema. */
export function crdDocument(): Schema {
  const openapi = (schema: z.ZodType) => toStructural(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' }) as Schema);
  const job = openapi(SparkJobSchema);
  const properties = job.properties as Record<string, Schema>;
  const openAPIV3Schema: Schema = {
    type: 'object',
    description: `A Spark job run by sparkctl on Docker or Apache Mesos.`,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: properties.spec,
      status: { ...openapi(SparkJobStatusSchema), description: STATUS_DESCRIPTION },
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `sparkjobs.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind: KIND, listKind: `${KIND}List`, plural: 'sparkjobs', singular: 'sparkjob', shortNames: ['sj'] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Attempts', type: 'integer', jsonPath: '.status.executionAttempts' },
            { name: 'Master', type: 'string', jsonPath: '.spec.master', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}

/** The CRD file's exact text. */
export function crdText(): string {
  const header = '# Generated from src/api/spark-job.ts by `npm run gen:schemas`; do not edit by hand.\n';
  return header + stringify(crdDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}
