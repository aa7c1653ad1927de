/**
 * @module tawon/units
 * Strict parsers for the values Tawon's StreamStore, Stream and Directive limits are written in.
 *
 * Units (documented, and the only ones accepted):
 * - **sizes** (`maxbytes`): a non-negative integer number of bytes (a JSON number or a string of
 *   digits), or a number with one suffix: `K` (or `k`), `M`, `G`, `T`, `P` are powers of 1000;
 *   `Ki`, `Mi`, `Gi`, `Ti`, `Pi` are powers of 1024. A decimal fraction is allowed with a suffix
 *   when the result is a whole number of bytes (`1.5G` = 1500000000, `0.5Ki` = 512). No spaces,
 *   no sign, no `B`/`GB` spellings, at most 2^53 - 1 bytes.
 * - **durations** (`maxage`): Go's `time.ParseDuration` syntax without a sign: one or more
 *   `<number><unit>` terms with units `h`, `m`, `s`, `ms`, `us` (or `µs`), `ns`, e.g. `6h`,
 *   `1h30m`, `1.5h`, `250ms`; the bare `0` is zero. At most 2^63 - 1 nanoseconds (Go's limit).
 *   A number without a unit is rejected, because its unit would be a guess.
 * - **counts** (`maxmsgs`, `maxsize`, `max`): a non-negative integer (a JSON number or a string of
 *   digits), at most 2^53 - 1.
 *
 * Every parser throws a {@link TerminalError} (reason `InvalidLimit` unless told otherwise) whose
 * message names the field, the value and what was expected; none of them ever throws anything else.
 */
import { TerminalError } from '../../runtime/errors.js';
import { Quantity, QuantityError } from '../../runtime/quantity.js';

/** The condition reason of a malformed limit. */
export const INVALID_LIMIT = 'InvalidLimit';

const DURATION_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1000_000n,
  s: 1000_000_000n,
  m: 60n * 1000_000_000n,
  h: 3600n * 1000_000_000n,
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_INT64 = 2n ** 63n - 1n;

function show(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
}

function fail(field: string, raw: unknown, expected: string, reason: string, cause?: unknown): never {
  throw new TerminalError(reason, `${field}: ${show(raw)} is not ${expected}`, { cause });
}

/** The quantity `raw` spells; a {@link TerminalError} naming `field` when it spells none. */
function quantity(raw: string | number, field: string, expected: string, reason: string): Quantity {
  try {
    return Quantity.parse(raw);
  } catch (err) {
    if (err instanceof QuantityError) fail(field, raw, expected, reason, err);
    throw err;
  }
}

const NANOS_PER_UNIT = 1_000_000_000n;
/** `digits[.digits]` times `unit`, rounded down to a whole number. */
function scaled(whole: string, frac: string, unit: bigint): bigint {
  const scale = 10n ** BigInt(frac.length);
  return ((BigInt(whole) * scale + BigInt(frac || '0')) * unit) / scale;
}

const SIZE_EXPECTED =
  'a size (bytes, or a number with K, M, G, T, P for powers of 1000 or Ki, Mi, Gi, Ti, Pi for powers of 1024)';

/**
 * Parses a size in bytes (see the module notes for the units).
 * @param field names the value in the error, e.g. `spec.maxbytes`.
 * @throws TerminalError (`InvalidLimit` unless `reason` says otherwise) for anything else.
 * @example parseSize('1G', 'spec.maxbytes') // 1000000000
 */
export function parseSize(raw: unknown, field: string, reason = INVALID_LIMIT): number {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) fail(field, raw, SIZE_EXPECTED, reason);
    return raw;
  }
  if (typeof raw !== 'string') fail(field, raw, SIZE_EXPECTED, reason);
  const m = /^([0-9]+)(?:\.([0-9]+))?(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?$/.exec(raw);
  if (!m) fail(field, raw, SIZE_EXPECTED, reason);
  const [, , frac = '', suffix = ''] = m;
  if (frac && !suffix) fail(field, raw, `${SIZE_EXPECTED}: a fraction needs a suffix`, reason);
  // Tawon also spells the decimal kilo `K`; Kubernetes only `k`.
  const q = quantity(suffix === 'K' ? `${raw.slice(0, -1)}k` : raw, field, SIZE_EXPECTED, reason);
  if (q.nanos % NANOS_PER_UNIT !== 0n)
    fail(field, raw, `${SIZE_EXPECTED}: it is not a whole number of bytes`, reason);
  const bytes = q.value();
  if (bytes > MAX_SAFE) fail(field, raw, `${SIZE_EXPECTED}: it is larger than 2^53-1 bytes`, reason);
  return Number(bytes);
}

/**
 * Parses a Kubernetes quantity as found in a claim's `resources.requests.storage` (`10Gi`, `500M`,
 * `1.5Gi`, `1e9`, `+2G`) with the runtime's one quantity parser ({@link Quantity}), rounded up
 * to a whole byte as Kubernetes' `Quantity.Value()` does. Capped at 2^53 - 1.
 * @throws TerminalError (reason `InvalidSpec` unless told otherwise) for a negative or malformed value.
 */
export function parseStorageQuantity(raw: unknown, field: string, reason = 'InvalidSpec'): number {
  const expected = 'a storage quantity such as 10Gi';
  if (typeof raw !== 'string' && typeof raw !== 'number') fail(field, raw, expected, reason);
  const q = quantity(raw, field, expected, reason);
  if (q.nanos < 0n || (typeof raw === 'string' && raw.startsWith('-'))) fail(field, raw, expected, reason);
  const bytes = q.value();
  return Number(bytes > MAX_SAFE ? MAX_SAFE : bytes);
}

const DURATION_EXPECTED = 'a duration such as 6h, 90m, 1h30m or 500ms (units h, m, s, ms, us, ns)';

/**
 * Parses a duration in Go's syntax into nanoseconds.
 * @throws TerminalError (`InvalidLimit` unless `reason` says otherwise) for anything else,
 *   including a bare number other than `0` and any sign.
 * @example parseDuration('6h', 'spec.maxage') // 21600000000000
 */
export function parseDuration(raw: unknown, field: string, reason = INVALID_LIMIT): number {
  if (typeof raw !== 'string') fail(field, raw, DURATION_EXPECTED, reason);
  if (raw === '0') return 0;
  if (!/^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|μs|ms|s|m|h))+$/.test(raw)) {
    fail(field, raw, DURATION_EXPECTED, reason);
  }
  let total = 0n;
  for (const term of raw.matchAll(/([0-9]+)(?:\.([0-9]+))?(ns|us|µs|μs|ms|s|m|h)/g)) {
    const [, whole = '0', frac = '', unit = 'ns'] = term;
    total += scaled(whole, frac, DURATION_UNIT[unit] ?? 1n);
    if (total > MAX_INT64) fail(field, raw, `${DURATION_EXPECTED}: it is longer than Go allows`, reason);
  }
  return Number(total);
}

const COUNT_EXPECTED = 'a whole number (digits only)';

/**
 * Parses a count (of messages): a non-negative integer as a JSON number or a string of digits.
 * @throws TerminalError (`InvalidLimit` unless `reason` says otherwise) for anything else.
 */
export function parseCount(raw: unknown, field: string, reason = INVALID_LIMIT): number {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) fail(field, raw, COUNT_EXPECTED, reason);
    return raw;
  }
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw)) fail(field, raw, COUNT_EXPECTED, reason);
  const n = BigInt(raw);
  if (n > MAX_SAFE) fail(field, raw, `${COUNT_EXPECTED}: it is larger than 2^53-1`, reason);
  return Number(n);
}

/** Formats nanoseconds the way Go's `Duration.String` does (`6h0m0s`, `1.5s`, `250ms`, `0s`). */
export function formatDuration(nanos: number): string {
  let ns = BigInt(Math.round(nanos));
  if (ns === 0n) return '0s';
  if (ns < 1000_000_000n) {
    const [unit, size] = ns < 1000n ? ['ns', 1n] : ns < 1000_000n ? ['µs', 1000n] : ['ms', 1000_000n];
    return `${decimal(ns, size)}${unit}`;
  }
  const h = ns / (3600n * 1000_000_000n);
  ns -= h * 3600n * 1000_000_000n;
  const m = ns / (60n * 1000_000_000n);
  ns -= m * 60n * 1000_000_000n;
  const s = `${decimal(ns, 1000_000_000n)}s`;
  if (h > 0n) return `${h}h${m}m${s}`;
  return m > 0n ? `${m}m${s}` : s;
}

/** `value / size` as a decimal without trailing zeros. */
function decimal(value: bigint, size: bigint): string {
  const whole = value / size;
  const rest = value % size;
  if (rest === 0n) return String(whole);
  const digits = String(size).length - 1;
  const frac = String(rest).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${frac}`;
}
