import { writeSync } from 'node:fs';
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { neutraliseTerminal } from './escape-text.js';

/** The logger type every module takes; each module makes a child with its own name. */
export type { Logger } from 'pino';

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = [
  'secret',
  '*.secret',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'env[*].value',
  '*.env[*].value',
];

/**
 * The human-readable log on a terminal (stderr): pino-pretty's lines with every escape sequence
 * but its own colours shown escaped, since log fields quote manifest strings (names, messages, errors).
 */
export function prettyTerminalDestination(fd = 2, colorize?: boolean): DestinationStream {
  const format = prettyFactory({ ignore: 'pid,hostname', ...(colorize === undefined ? {} : { colorize }) });
  return { write: (line: string) => void writeSync(fd, neutraliseTerminal(format(line))) };
}

/** A pino logger: JSON lines, or pretty when writing to a terminal; `destination` is injectable for tests. */
export function createLogger(options: { level?: string; destination?: DestinationStream; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.SPARKCTL_LOG_LEVEL ?? 'info';
  const usePretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY === true);
  const dest: DestinationStream =
    options.destination ?? (usePretty ? prettyTerminalDestination() : pino.destination({ fd: 2, sync: false }));
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '******' }, base: { pid: process.pid } }, dest);
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
