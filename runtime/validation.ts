/**
 * @module runtime/validation
 * Turning `unknown` into typed values at the boundaries (specs, HTTP bodies, Secrets) with
 * class-validator and class-transformer. A failure is a {@link TerminalError} whose message names
 * every offending field, so it can go straight into a condition.
 */
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { TerminalError } from './errors.js';

/** Flattens nested validation errors into `path: constraint` strings. */
export function describeErrors(errors: readonly ValidationError[], parent = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    for (const msg of Object.values(e.constraints ?? {})) out.push(`${path}: ${msg.replace(/^\S+ /, '')}`);
    if (e.children?.length) out.push(...describeErrors(e.children, path));
  }
  return out;
}

/**
 * Validates `raw` against the decorated class `cls`.
 * @param what names the value in the error (for example `spec`).
 * @param reason the condition reason on failure. @defaultValue `InvalidSpec`
 * @throws TerminalError listing every violation.
 */
export function parseWith<T extends object>(
  cls: ClassConstructor<T>,
  raw: unknown,
  what: string,
  reason = 'InvalidSpec',
): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TerminalError(reason, `${what} must be an object`);
  }
  const instance = plainToInstance(cls, raw, { exposeDefaultValues: true });
  const errors = validateSync(instance, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new TerminalError(reason, `invalid ${what}: ${describeErrors(errors, what).join('; ')}`);
  }
  return instance;
}
