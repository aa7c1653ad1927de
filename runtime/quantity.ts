/**
 * @module runtime/quantity
 * The one parser of Kubernetes quantities (`10Gi`, `500m`, `1.5G`, `1e9`, `+2Ki`), with
 * Kubernetes' own grammar and arithmetic (`resource.ParseQuantity` of k8s.io/apimachinery):
 *
 * ```
 * quantity  ::= [sign] number [suffix]
 * number    ::= digits | digits "." [digits] | "." digits
 * suffix    ::= binarySI | decimalSI | ("e" | "E") [sign] digits
 * binarySI  ::= Ki | Mi | Gi | Ti | Pi | Ei                      (powers of 1024)
 * decimalSI ::= n | u | m | k | M | G | T | P | E                (powers of 1000; "" is 1)
 * ```
 *
 * So `1G` is 10^9 and `1Gi` is 2^30; `1K` is malformed (the decimal kilo is `k`), and `1E` is
 * 10^18 (an exponent needs digits).
 *
 * Guarantees:
 * - exact: the value is kept as a whole number of nano-units (a bigint), so two spellings of one
 *   amount (`1Gi`, `1024Mi`; `4.1G`, `4100M`) compare equal, which floating point does not
 *   promise (4.1 × 10^9 is 4099999999.9999995 in a double);
 * - like Kubernetes, anything finer than a nano-unit is rounded away from zero (`0.1n` is `1n`),
 *   and {@link Quantity.value} rounds to whole units away from zero (`Quantity.Value()`);
 * - no surrounding white space, as `ParseQuantity` (the JSON decoder trims before it);
 * - a malformed input throws a {@link QuantityError}; nothing else is ever thrown.
 *
 * Why our own: @kubernetes/client-node 2.0.1 has `quantityToScalar` in its `util` module, but its
 * package index does not export it, it rejects fractions with a suffix (`1.5Gi`) and exponents,
 * converts through floating point for `m`/`u`/`n`, and throws plain `Error`s; and importing
 * client-node costs the start-up time Sluice avoids (see `runtime/kube/kubeconfig.ts`).
 *
 * Costs: one regular expression and a few bigint operations per parse.
 */
import { OperatorError } from './errors.js';

/** A string that is not a Kubernetes quantity. `input` is the value as given. */
export class QuantityError extends OperatorError {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super('quantity', `${JSON.stringify(input)} is not a Kubernetes quantity: ${problem}`);
  }
}

const GRAMMAR =
  /^([+-])?(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?[0-9]+))?$/;

/** Powers of 2 of the binary suffixes. */
const BINARY_EXPONENT: Readonly<Record<string, bigint>> = {
  Ki: 10n,
  Mi: 20n,
  Gi: 30n,
  Ti: 40n,
  Pi: 50n,
  Ei: 60n,
};

/** Powers of 10 of the decimal suffixes. */
const DECIMAL_EXPONENT: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/**
 * The largest power of ten an exponent may give (`1e30`). Beyond it a quantity is far outside
 * what Kubernetes stores (it caps values at 2^63 − 1), and the exact arithmetic would grow.
 */
export const MAX_QUANTITY_EXPONENT = 30;

/** Nano-units per unit. */
const NANO = 1_000_000_000n;

/** `n / d` for d > 0, rounded away from zero. */
function divideAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

/** An exact Kubernetes quantity. */
export class Quantity {
  private constructor(
    /** The amount in nano-units (10^-9), exact. */
    readonly nanos: bigint,
  ) {}

  /**
   * Parses a quantity; a number is read as its decimal spelling (`1.5`, `1e+21`).
   * @throws QuantityError for anything outside the grammar (see the module notes).
   * @example Quantity.parse('1.5Gi').value() // 1610612736n
   */
  static parse(raw: string | number): Quantity {
    const text = typeof raw === 'number' ? String(raw) : raw;
    const m = GRAMMAR.exec(text);
    if (!m)
      throw new QuantityError(text, 'expected a number with an optional suffix, such as 10Gi, 500m or 1e9');
    const [, sign, whole = '', frac1 = '', frac2 = '', binary, decimal, exponent] = m;
    const frac = frac1 || frac2;
    const exp10 = exponent !== undefined ? Number(exponent) : decimal ? (DECIMAL_EXPONENT[decimal] ?? 0) : 0;
    if (Math.abs(exp10) > MAX_QUANTITY_EXPONENT)
      throw new QuantityError(text, `the exponent is beyond ±${MAX_QUANTITY_EXPONENT}`);
    const digits = BigInt(`${whole}${frac}` || '0') << (binary ? (BINARY_EXPONENT[binary] ?? 0n) : 0n);
    const shift = exp10 - frac.length + 9;
    const magnitude = shift >= 0 ? digits * 10n ** BigInt(shift) : divideAway(digits, 10n ** BigInt(-shift));
    return new Quantity(sign === '-' ? -magnitude : magnitude);
  }

  /** The quantity `raw` spells, or `undefined` when it spells none. */
  static tryParse(raw: string | number): Quantity | undefined {
    try {
      return Quantity.parse(raw);
    } catch (err) {
      if (err instanceof QuantityError) return undefined;
      throw err;
    }
  }

  /** Whole units, rounded away from zero, as Kubernetes' `Quantity.Value()` (`1500m` → 2). */
  value(): bigint {
    return divideAway(this.nanos, NANO);
  }

  /** The amount in units as a JavaScript number (inexact beyond 2^53 nano-units). */
  toNumber(): number {
    return Number(this.nanos) / 1e9;
  }

  /** True when both are the same amount, however they were spelled. */
  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }
}
