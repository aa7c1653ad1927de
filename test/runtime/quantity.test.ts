/**
 * The one Kubernetes quantity parser: the grammar of k8s.io/apimachinery's `ParseQuantity`
 * (signs, the three number forms, binary and decimal suffixes, exponents), exact values, its
 * rounding, and one error class for everything it refuses.
 */
import test from 'ava';
import fc from 'fast-check';
import { OperatorError } from '../../runtime/errors.js';
import { Quantity, QuantityError } from '../../runtime/quantity.js';

const q = (s: string | number): Quantity => Quantity.parse(s);
const nanos = (s: string): bigint => q(s).nanos;

test('quantities compare by value, whatever their spelling', (t) => {
  t.true(q('1Gi').equals(q('1024Mi')));
  t.is(q('10G').toNumber(), 1e10);
  t.is(q('1e3').toNumber(), 1000);
  t.throws(() => q('ten'), { instanceOf: QuantityError });
});

/** Every suffix of the grammar and its value in nano-units. */
const SUFFIXES: readonly (readonly [string, bigint])[] = [
  ['n', 1n],
  ['u', 10n ** 3n],
  ['m', 10n ** 6n],
  ['', 10n ** 9n],
  ['k', 10n ** 12n],
  ['M', 10n ** 15n],
  ['G', 10n ** 18n],
  ['T', 10n ** 21n],
  ['P', 10n ** 24n],
  ['E', 10n ** 27n],
  ['Ki', 2n ** 10n * 10n ** 9n],
  ['Mi', 2n ** 20n * 10n ** 9n],
  ['Gi', 2n ** 30n * 10n ** 9n],
  ['Ti', 2n ** 40n * 10n ** 9n],
  ['Pi', 2n ** 50n * 10n ** 9n],
  ['Ei', 2n ** 60n * 10n ** 9n],
];

test('decimal suffixes are powers of 1000 and binary suffixes powers of 1024', (t) => {
  for (const [suffix, value] of SUFFIXES) t.is(nanos(`1${suffix}`), value, suffix);
  t.is(q('1G').value(), 1_000_000_000n);
  t.is(q('1Gi').value(), 1_073_741_824n);
});

test('the three number forms, with or without a sign', (t) => {
  t.is(nanos('1.5'), 1_500_000_000n);
  t.is(nanos('1.'), 1_000_000_000n);
  t.is(nanos('.5'), 500_000_000n);
  t.is(nanos('+2'), 2_000_000_000n);
  t.is(nanos('-2'), -2_000_000_000n);
  t.is(q('1.5Gi').value(), 1_610_612_736n);
  t.is(q('0.5Ki').value(), 512n);
  t.is(nanos('0'), 0n);
});

test('an exponent is a power of ten, with an optional sign, in either letter case', (t) => {
  t.is(q('1e9').value(), 10n ** 9n);
  t.is(q('1E9').value(), 10n ** 9n);
  t.is(q('12e+3').value(), 12_000n);
  t.is(nanos('5e-3'), 5_000_000n);
  t.is(q('1.5e3').value(), 1500n);
});

test('values are exact, so spellings that floating point tells apart are equal', (t) => {
  t.true(q('4.1G').equals(q('4100M')));
  t.true(q('3e-1').equals(q('300m')));
  t.true(q('0.1Gi').equals(q('104857.6Ki')));
  t.false(q('1G').equals(q('1Gi')));
});

test('amounts finer than a nano-unit round away from zero, and value() rounds to whole units', (t) => {
  t.is(nanos('0.1n'), 1n);
  t.is(nanos('-0.1n'), -1n);
  t.is(q('1500m').value(), 2n);
  t.is(q('1001m').value(), 2n);
  t.is(q('1000m').value(), 1n);
  t.is(q('-1500m').value(), -2n);
});

test('a number is read as its decimal spelling', (t) => {
  t.is(q(1024).value(), 1024n);
  t.is(nanos(String(1.5)), q(1.5).nanos);
  t.is(q(1e21).value(), 10n ** 21n);
});

test('anything outside the grammar is a QuantityError naming the input', (t) => {
  for (const bad of [
    '',
    ' 1Gi',
    '1Gi ',
    '1 Gi',
    '1K',
    '1GB',
    '1gi',
    'ten',
    '1e',
    '1e1.5',
    '--1',
    '1.2.3',
    'Gi',
    '.',
    '1ki',
    'NaN',
  ]) {
    const err = t.throws(() => q(bad), { instanceOf: QuantityError }, JSON.stringify(bad));
    t.true(err instanceof OperatorError);
    t.is(err.code, 'quantity');
    t.is(err.input, bad);
    t.true(err.message.startsWith(`${JSON.stringify(bad)} is not a Kubernetes quantity`), err.message);
  }
  t.throws(() => q(Number.NaN), { instanceOf: QuantityError });
  t.throws(() => q(Number.POSITIVE_INFINITY), { instanceOf: QuantityError });
});

test('an exponent beyond 30 is refused rather than computed', (t) => {
  t.is(q('1e30').value(), 10n ** 30n);
  t.throws(() => q('1e31'), { instanceOf: QuantityError, message: /exponent/ });
  t.throws(() => q('1e-31'), { instanceOf: QuantityError, message: /exponent/ });
});

test('tryParse gives undefined for what parse refuses', (t) => {
  t.is(Quantity.tryParse('1K'), undefined);
  t.true(Quantity.tryParse('1k')?.equals(q('1000')));
});

test('any string either parses or gives a QuantityError, never another error', (t) => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        Quantity.parse(s);
      } catch (err) {
        if (!(err instanceof QuantityError)) throw err;
      }
    }),
  );
  t.pass();
});

test('a whole amount with any suffix parses to that amount times the suffix', (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constantFrom(...SUFFIXES), (n, [s, unit]) => {
      return q(`${n}${s}`).nanos === n * unit;
    }),
  );
  t.pass();
});
