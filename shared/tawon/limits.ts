/**
 * @module tawon/limits
 * The three stream limits of Tawon (messages, age, bytes): parsing them from a StreamStore's
 * `defaults` and `limits`, from a Stream or a Directive's stream entry, and resolving what a
 * Stream gets on its store.
 *
 * Rules:
 * 1. A limit is positive. Leaving it out means "no limit of my own": the store's default applies,
 *    else the store's hard limit, else none (JetStream's unlimited).
 * 2. A store's default must not exceed its own hard limit (`InvalidLimit` on the store).
 * 3. The store's hard limits override: a requested value above one is clamped to it (the seed: a
 *    Stream's limits "can be overridden by the StreamStore limits"). The resolution lists every
 *    clamped value, asked and applied, so the caller can say so on the object; it is never an
 *    error.
 *
 * Field names are the seed's, byte for byte: a StreamStore writes `defaults.{maxsize, maxage,
 * maxbytes}` and `limits.{max, maxage, maxbytes}`; Streams and Directives write `maxmsgs`,
 * `maxage`, `maxbytes`. Here all three are called {@link LimitName}s `maxmsgs`, `maxage`, `maxbytes`.
 */
import { TerminalError } from '../../runtime/errors.js';
import { INVALID_LIMIT, parseCount, parseDuration, parseSize } from './units.js';

export type LimitName = 'maxmsgs' | 'maxage' | 'maxbytes';

export const LIMIT_NAMES: readonly LimitName[] = ['maxmsgs', 'maxage', 'maxbytes'];

/** One parsed limit: its value (messages, nanoseconds or bytes) and the text it was written as. */
export interface Limit {
  readonly value: number;
  readonly text: string;
}

/** Parsed limits; an absent member is not set. */
export type Limits = { readonly [N in LimitName]?: Limit };

/** The limits as written (unknown values, validated by {@link parseLimits}). */
export type RawLimits = { readonly [N in LimitName]?: unknown };

/** A store's parsed `defaults` and hard `limits`. */
export interface StoreLimits {
  readonly defaults: Limits;
  readonly limits: Limits;
}

/** Where an applied limit came from. */
export type LimitSource = 'request' | 'default' | 'limit';

export interface AppliedLimit extends Limit {
  readonly source: LimitSource;
}

export type AppliedLimits = { readonly [N in LimitName]?: AppliedLimit };

/** A requested limit above the store's hard limit, and the hard limit it was clamped to. */
export interface ClampedLimit {
  readonly name: LimitName;
  readonly asked: Limit;
  readonly applied: Limit;
}

/** The result of {@link resolveLimits}: what applies, and the requests that were clamped. */
export interface LimitResolution {
  readonly applied: AppliedLimits;
  /** The requests above a hard limit, in {@link LIMIT_NAMES} order; empty when none was. */
  readonly clamped: readonly ClampedLimit[];
}

function parseOne(name: LimitName, raw: unknown, field: string): Limit {
  const value =
    name === 'maxmsgs'
      ? parseCount(raw, field)
      : name === 'maxage'
        ? parseDuration(raw, field)
        : parseSize(raw, field);
  if (value <= 0) {
    throw new TerminalError(INVALID_LIMIT, `${field}: must be positive (leave it out for no limit)`);
  }
  return { value, text: String(raw) };
}

/**
 * Parses limits written under `prefix` (for example `spec` or `spec.streams[0]`).
 * @param names maps each limit to the key it is written under. @defaultValue the Stream's keys
 * @throws TerminalError `InvalidLimit` naming the first malformed field.
 */
export function parseLimits(
  raw: Readonly<Record<string, unknown>> | undefined,
  prefix: string,
  names: Readonly<Record<LimitName, string>> = { maxmsgs: 'maxmsgs', maxage: 'maxage', maxbytes: 'maxbytes' },
): Limits {
  const out: { [N in LimitName]?: Limit } = {};
  for (const name of LIMIT_NAMES) {
    const key = names[name];
    const value = raw?.[key];
    if (value !== undefined && value !== null) out[name] = parseOne(name, value, `${prefix}.${key}`);
  }
  return out;
}

/** The keys of a StreamStore's `defaults` (the seed calls the message count `maxsize`). */
export const STORE_DEFAULT_KEYS: Readonly<Record<LimitName, string>> = {
  maxmsgs: 'maxsize',
  maxage: 'maxage',
  maxbytes: 'maxbytes',
};

/** The keys of a StreamStore's hard `limits` (the seed calls the message count `max`). */
export const STORE_LIMIT_KEYS: Readonly<Record<LimitName, string>> = {
  maxmsgs: 'max',
  maxage: 'maxage',
  maxbytes: 'maxbytes',
};

/**
 * Throws `InvalidLimit` for a key of `raw` that is not one of `names`: a misspelt limit (say
 * `maxmsgs` under a store's `defaults`, where the seed writes `maxsize`) must not be ignored.
 */
export function rejectUnknown(
  raw: Readonly<Record<string, unknown>> | undefined,
  prefix: string,
  names: Readonly<Record<LimitName, string>>,
): void {
  const known = Object.values(names);
  for (const key of Object.keys(raw ?? {})) {
    if (!known.includes(key)) {
      throw new TerminalError(
        INVALID_LIMIT,
        `${prefix}.${key}: unknown limit (expected ${known.join(', ')})`,
      );
    }
  }
}

/**
 * Parses a StreamStore's `spec.defaults` and `spec.limits` and checks each default against its
 * hard limit.
 * @throws TerminalError `InvalidLimit` for a malformed value or a default above its limit.
 */
export function parseStoreLimits(spec: {
  readonly defaults?: Readonly<Record<string, unknown>> | undefined;
  readonly limits?: Readonly<Record<string, unknown>> | undefined;
}): StoreLimits {
  rejectUnknown(spec.defaults, 'spec.defaults', STORE_DEFAULT_KEYS);
  rejectUnknown(spec.limits, 'spec.limits', STORE_LIMIT_KEYS);
  const defaults = parseLimits(spec.defaults, 'spec.defaults', STORE_DEFAULT_KEYS);
  const limits = parseLimits(spec.limits, 'spec.limits', STORE_LIMIT_KEYS);
  for (const name of LIMIT_NAMES) {
    const d = defaults[name];
    const l = limits[name];
    if (d && l && d.value > l.value) {
      throw new TerminalError(
        INVALID_LIMIT,
        `spec.defaults.${STORE_DEFAULT_KEYS[name]} ${d.text} exceeds spec.limits.${STORE_LIMIT_KEYS[name]} ${l.text}`,
      );
    }
  }
  return { defaults, limits };
}

/**
 * Resolves what a Stream gets: per limit the request, else the store's default, else the store's
 * hard limit, else nothing (unlimited). A request above the hard limit gets the hard limit
 * (source `limit`) and is listed in `clamped`. Pure; the same inputs give the same result.
 */
export function resolveLimits(request: Limits, store: StoreLimits): LimitResolution {
  const applied: { [N in LimitName]?: AppliedLimit } = {};
  const clamped: ClampedLimit[] = [];
  for (const name of LIMIT_NAMES) {
    const asked = request[name];
    const fallback = store.defaults[name];
    const hard = store.limits[name];
    if (asked && hard && asked.value > hard.value) {
      clamped.push({ name, asked, applied: hard });
      applied[name] = { ...hard, source: 'limit' };
      continue;
    }
    const chosen: AppliedLimit | undefined = asked
      ? { ...asked, source: 'request' }
      : fallback
        ? { ...fallback, source: 'default' }
        : hard
          ? { ...hard, source: 'limit' }
          : undefined;
    if (chosen) applied[name] = chosen;
  }
  return { applied, clamped };
}
