import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  crdDocument,
  crdText,
  jsonSchema,
  jsonSchemaText,
  SCHEDULE_SCHEMA_FILES,
  SCHEMA_FILES,
  scheduleCrdDocument,
  scheduleCrdText,
  scheduleJsonSchema,
  scheduleJsonSchemaText,
} from '../../src/manifest/schema-documents.js';

const root = join(import.meta.dirname, '..', '..');

type Schema = Record<string, unknown>;

/** Every place Kubernetes' structural-schema rules would reject, as `path: problem` lines. */
function structuralProblems(node: Schema, path: string): string[] {
  const problems: string[] = [];
  const typed =
    typeof node.type === 'string' || node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
  if (!typed) problems.push(`${path}: no type`);
  for (const banned of ['$schema', '$ref', 'const', 'anyOf', 'propertyNames', 'definitions', '$defs']) {
    if (banned in node) problems.push(`${path}: ${banned}`);
  }
  if (node.additionalProperties === false) problems.push(`${path}: additionalProperties false`);
  if (node.properties && node.additionalProperties) problems.push(`${path}: properties with additionalProperties`);
  for (const branch of (node.oneOf as Schema[] | undefined) ?? []) {
    if (Object.keys(branch).some((k) => k !== 'required')) problems.push(`${path}: oneOf branch sets more than required`);
  }
  for (const [key, child] of Object.entries((node.properties as Record<string, Schema>) ?? {}))
    problems.push(...structuralProblems(child, `${path}.${key}`));
  if (typeof node.items === 'object') problems.push(...structuralProblems(node.items as Schema, `${path}[]`));
  if (typeof node.additionalProperties === 'object') problems.push(...structuralProblems(node.additionalProperties as Schema, `${path}{}`));
  return problems;
}

describe('crd-schemas/', () => {
  it('holds the JSON Schema generated from the zod schema (run npm run gen:schemas when this fails)', async () => {
    expect(await readFile(join(root, SCHEMA_FILES.jsonSchema), 'utf8')).toBe(jsonSchemaText());
  });

  it('holds the CRD generated from the zod schema (run npm run gen:schemas when this fails)', async () => {
    expect(await readFile(join(root, SCHEMA_FILES.crd), 'utf8')).toBe(crdText());
  });

  it('holds the ScheduledSparkJob JSON Schema and CRD generated from theirs (run npm run gen:schemas when this fails)', async () => {
    expect(await readFile(join(root, SCHEDULE_SCHEMA_FILES.jsonSchema), 'utf8')).toBe(scheduleJsonSchemaText());
    expect(await readFile(join(root, SCHEDULE_SCHEMA_FILES.crd), 'utf8')).toBe(scheduleCrdText());
  });
});

describe('ScheduledSparkJob schema documents', () => {
  it('require a schedule and a template, know the defaults, and have a structural CRD with a status subresource', () => {
    const spec = (scheduleJsonSchema().properties as Record<string, Schema>).spec!;
    expect(spec.required).toEqual(['schedule', 'template']);
    expect((spec.properties as Record<string, Schema>).concurrencyPolicy!.default).toBe('Forbid');
    const crd = parse(scheduleCrdText()) as Schema;
    expect(crd).toEqual(scheduleCrdDocument());
    expect(crd).toMatchObject({ metadata: { name: 'scheduledsparkjobs.sparkctl.io' }, spec: { names: { kind: 'ScheduledSparkJob' } } });
    const version = ((scheduleCrdDocument().spec as Schema).versions as Schema[])[0]!;
    expect(structuralProblems((version.schema as Schema).openAPIV3Schema as Schema, 'openAPIV3Schema')).toEqual([]);
  });
});

describe('jsonSchema', () => {
  it('is a draft-07 schema that rejects unknown fields and knows the defaults', () => {
    const schema = jsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const spec = (schema.properties as Record<string, Schema>).spec!;
    expect(spec.additionalProperties).toBe(false);
    expect(spec.required).toEqual(['image', 'mainApplicationFile']);
    expect((spec.properties as Record<string, Schema>).master!.default).toBe('local[*]');
  });
});

describe('crdDocument', () => {
  it('describes the SparkJob kind with a status subresource', () => {
    const crd = parse(crdText()) as Schema;
    expect(crd).toEqual(crdDocument());
    expect(crd).toMatchObject({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'sparkjobs.sparkctl.io' },
      spec: {
        group: 'sparkctl.io',
        names: { kind: 'SparkJob', plural: 'sparkjobs' },
        versions: [{ name: 'v1alpha1', subresources: { status: {} } }],
      },
    });
  });

  it('has a structural openAPIV3Schema', () => {
    const version = ((crdDocument().spec as Schema).versions as Schema[])[0]!;
    const schema = (version.schema as Schema).openAPIV3Schema as Schema;
    expect(structuralProblems(schema, 'openAPIV3Schema')).toEqual([]);
  });
});
