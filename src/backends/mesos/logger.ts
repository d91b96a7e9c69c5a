/** The logging surface the Mesos backend uses; a pino logger fits it. */
export interface MesosLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops everything (the default when none is injected). */
export const silentLogger: MesosLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
