import type { Command } from 'commander';
import type { SparkJobSpec } from '../../api/spark-job.js';
import { redactSecrets, secretValues } from '../../secrets/redact.js';
import { cliContext, write } from '../cli-context.js';
import { loadViews } from '../find-job.js';
import { planApply } from '../plan-apply.js';
import { escapeLines } from '../../escape-text.js';
import { runAction } from '../run-action.js';
import { unifiedDiff } from '../unified-diff.js';
import type { SetExit } from './index.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** The driver env values marked secret in a spec (the Mesos secretRef names a value the CLI never reads). */
const envSecrets = (spec: SparkJobSpec | undefined) => (spec ? secretValues({ ...spec, mesos: undefined }, {}) : []);

/** `sparkctl diff -f FILE|DIR|-`: what `apply` would change, as a unified diff; exit 1 when anything differs. */
export function registerDiff(program: Command, setExit: SetExit): void {
  let failed = false;
  program
    .command('diff')
    .description('Show what apply would change in the jobs folder, as a unified diff (exit 1 when different)')
    .requiredOption('-f, --filename <path>', 'a manifest file, a folder of them, or - for stdin (repeatable)', collect, [])
    .addHelpText(
      'after',
      '\nExit codes: 0 no differences; 1 differences found; 2 or more: invalid input or another error.\nSecret env values are shown as ******.\n\nExamples:\n  sparkctl diff -f spark-pi.yaml\n  sparkctl diff -f ./jobs/ && echo up to date\n',
    )
    .action((opts: { filename: string[] }, command: Command) =>
      runAction(
        (code) => setExit(failed ? Math.max(code, 2) : code),
        async () => {
          try {
            const ctx = cliContext(command);
            const plans = await planApply(ctx, opts.filename, 'diff');
            const views = await loadViews(ctx);
            let out = '';
            for (const plan of plans) {
              if (plan.outcome === 'unchanged') continue;
              const before =
                views.jobs.find((v) => v.file === plan.file)?.job?.spec ??
                views.schedules.find((s) => s.file === plan.file)?.schedule.spec.template;
              const secrets = [...envSecrets(plan.item.spec), ...envSecrets(before)].sort((a, b) => b.length - a.length);
              const text = unifiedDiff(plan.current ?? '', plan.next, plan.current === undefined ? '/dev/null' : plan.path, plan.path);
              out += escapeLines(redactSecrets(text, secrets));
            }
            await write(ctx, out);
            return out === '' ? 0 : 1;
          } catch (err) {
            failed = true;
            throw err;
          }
        },
      ),
    );
}
