#!/usr/bin/env node
// Shell completion asks for job names on every Tab: that path loads only what it needs.
const args = process.argv.slice(2);
const run = args.includes('__complete-jobs')
  ? import('../dist/cli/complete-names.js').then((m) => m.completeNames(args))
  : import('../dist/cli/main.js').then((m) => m.main(process.argv));

run.then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
