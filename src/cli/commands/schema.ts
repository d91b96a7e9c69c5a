import type { Command } from 'commander';
import { crdText, jsonSchemaText, scheduleCrdText, scheduleJsonSchemaText } from '../../manifest/schema-documents.js';
import { escapeText } from '../../escape-text.js';
import type { SetExit } from './index.js';

/** `sparkctl schema [--crd] [--kind K]`: prints the SparkJob (or ScheduledSparkJob) JSON Schema, or the Kubernetes CRD. */
export function registerSchema(program: Command, setExit: SetExit): void {
  program
    .command('schema')
    .description('Print the JSON Schema of a SparkJob manifest (or, with --crd, its CustomResourceDefinition)')
    .option('--crd', 'print the apiextensions.k8s.io/v1 CustomResourceDefinition as YAML', false)
    .option('--kind <kind>', 'SparkJob or ScheduledSparkJob', 'SparkJob')
    .addHelpText(
      'after',
      `
Editors use the schema through a first line such as
  # yaml-language-server: $schema=../crd-schemas/sparkjob.schema.json

Example:
  sparkctl schema > sparkjob.schema.json
  sparkctl schema --crd | kubectl apply -f -
  sparkctl schema --kind ScheduledSparkJob > scheduledsparkjob.schema.json
`,
    )
    .action((opts: { crd: boolean; kind: string }) => {
      if (opts.kind !== 'SparkJob' && opts.kind !== 'ScheduledSparkJob') {
        process.stderr.write(`Error: --kind must be SparkJob or ScheduledSparkJob, got ${escapeText(JSON.stringify(opts.kind))}\n`);
        setExit(2);
        return;
      }
      const schedule = opts.kind === 'ScheduledSparkJob';
      process.stdout.write(opts.crd ? (schedule ? scheduleCrdText() : crdText()) : schedule ? scheduleJsonSchemaText() : jsonSchemaText());
      setExit(0);
    });
}
