import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** The logger type every module takes; each module makes a child with its own name. */
export type { Logger } from 'pino';

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = ['secret', '*.secret', 'password', '*.password', 'authorization', '*.authorization', 'env[*].value', '*.env[*].value'];

/** A pino logger: JSON lines, or pretty when writing to a terminal; `destination` is injectable for tests. */
export function createLogger(options: { level?: string; destination?: DestinationStream; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.SPARKCTL_LOG_LEVEL ?? 'info';
  const usePretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY === true);
  const dest: DestinationStream = options.destination ?? (usePretty ? pretty({ destination: 2, sync: true, ignore: 'pid,hostname' }) : pino.destination({ fd: 2, sync: false }));
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '******' }, base: { pid: process.pid } }, dest);
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
