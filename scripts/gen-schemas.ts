import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  crdText,
  jsonSchemaText,
  SCHEDULE_SCHEMA_FILES,
  SCHEMA_FILES,
  scheduleCrdText,
  scheduleJsonSchemaText,
} from '../src/manifest/schema-documents.js';

// Regenerates crd-schemas/ from the zod schema; the drift test fails until this has been run.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, text] of [
  [SCHEMA_FILES.jsonSchema, jsonSchemaText()],
  [SCHEMA_FILES.crd, crdText()],
  [SCHEDULE_SCHEMA_FILES.jsonSchema, scheduleJsonSchemaText()],
  [SCHEDULE_SCHEMA_FILES.crd, scheduleCrdText()],
] as const) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
  process.stdout.write(`wrote ${path}\n`);
}
