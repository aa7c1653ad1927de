/**
 * @module runtime/log
 * Structured JSON logs (pino). Every reconcile logs through a child bound to the object's kind,
 * namespace, name and job id. Credential-like fields are redacted wherever they appear.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Field names whose values never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  'token',
  'authorization',
  'secret',
  'sasl',
  '*.password',
  '*.token',
  '*.authorization',
  '*.secret',
  '*.sasl',
  '*.headers.authorization',
  '*.data',
  '*.stringData',
];

export interface LoggerOptions {
  /** @defaultValue `info` */
  readonly level?: string;
  /** Where lines go. @defaultValue standard output */
  readonly destination?: NodeJS.WritableStream;
  /** Bound to every line (for example `{component: 'dispatcher'}`). */
  readonly base?: Record<string, string>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { ...opts.base },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? process.stdout,
  );
}
