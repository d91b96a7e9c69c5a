import type { Command } from 'commander';
import { crdText, jsonSchemaText } from '../../manifest/schema-documents.js';
import type { SetExit } from './index.js';

/** `sparkctl schema [--crd]`: prints the SparkJob JSON Schema, or the Kubernetes CRD. */
export function registerSchema(program: Command, setExit: SetExit): void {
  program
    .command('schema')
    .description('Print the JSON Schema of a SparkJob manifest (or, with --crd, its CustomResourceDefinition)')
    .option('--crd', 'print the apiextensions.k8s.io/v1 CustomResourceDefinition as YAML', false)
    .addHelpText(
      'after',
      `
Editors use the schema through a first line such as
  # yaml-language-server: $schema=../crd-schemas/sparkjob.schema.json

Example:
  sparkctl schema > sparkjob.schema.json
  sparkctl schema --crd | kubectl apply -f -
`,
    )
    .action((opts: { crd: boolean }) => {
      process.stdout.write(opts.crd ? crdText() : jsonSchemaText());
      setExit(0);
    });
}
