/**
 * Unit tests of the strict parsers of Tawon limits: sizes, durations, counts and Kubernetes
 * storage quantities, with garbage of every kind.
 */
import test from 'ava';
import fc from 'fast-check';
import { TerminalError } from '../../../runtime/index.js';
import {
  formatDuration,
  parseCount,
  parseDuration,
  parseSize,
  parseStorageQuantity,
} from '../../../shared/tawon/units.js';

const H = 3600e9;

test('sizes use powers of 1000 for K, M, G, T, P and powers of 1024 for Ki, Mi, Gi, Ti, Pi', (t) => {
  t.is(parseSize('1G', 'f'), 1e9);
  t.is(parseSize('2G', 'f'), 2e9);
  t.is(parseSize('1K', 'f'), 1000);
  t.is(parseSize('1k', 'f'), 1000);
  t.is(parseSize('3M', 'f'), 3e6);
  t.is(parseSize('1T', 'f'), 1e12);
  t.is(parseSize('1P', 'f'), 1e15);
  t.is(parseSize('1Ki', 'f'), 1024);
  t.is(parseSize('1Mi', 'f'), 1024 ** 2);
  t.is(parseSize('1Gi', 'f'), 1024 ** 3);
  t.is(parseSize('1Ti', 'f'), 1024 ** 4);
  t.is(parseSize('1Pi', 'f'), 1024 ** 5);
});

test('a plain integer size is a number of bytes, as a number or a string of digits', (t) => {
  t.is(parseSize(1048576, 'f'), 1048576);
  t.is(parseSize('1048576', 'f'), 1048576);
  t.is(parseSize('0', 'f'), 0);
});

test('a fractional size is accepted only with a suffix and only when it is a whole number of bytes', (t) => {
  t.is(parseSize('1.5G', 'f'), 1.5e9);
  t.is(parseSize('0.5Ki', 'f'), 512);
  t.throws(() => parseSize('1.5', 'f'), { instanceOf: TerminalError });
  t.throws(() => parseSize('0.0001K', 'f'), { instanceOf: TerminalError });
});

test('garbage sizes are refused with InvalidLimit and a message naming the field', (t) => {
  for (const bad of [
    '',
    ' 1G',
    '1G ',
    '1 G',
    '1GB',
    '1gb',
    '1g',
    'G',
    '-1G',
    '+1G',
    '1e9',
    '1.G',
    '.5G',
    '1Gi1',
    '1KiB',
    'ten',
    '0x10',
    '1_000',
    '１G',
  ]) {
    const err = t.throws(() => parseSize(bad, 'spec.maxbytes'), { instanceOf: TerminalError }, bad);
    t.is(err.reason, 'InvalidLimit');
    t.regex(err?.message ?? '', /^spec\.maxbytes: /);
  }
  for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 60, null, true, {}, [], undefined]) {
    t.throws(() => parseSize(bad, 'f'), { instanceOf: TerminalError }, JSON.stringify(bad) ?? 'undefined');
  }
  t.throws(() => parseSize('10P', 'f'), { instanceOf: TerminalError }, 'larger than 2^53-1');
});

test('durations follow Go syntax with h, m, s, ms, us and ns, in combination', (t) => {
  t.is(parseDuration('6h', 'f'), 6 * H);
  t.is(parseDuration('240h', 'f'), 240 * H);
  t.is(parseDuration('2400h', 'f'), 2400 * H);
  t.is(parseDuration('90m', 'f'), 90 * 60e9);
  t.is(parseDuration('1h30m', 'f'), 1.5 * H);
  t.is(parseDuration('1.5h', 'f'), 1.5 * H);
  t.is(parseDuration('1h2m3s4ms5us6ns', 'f'), H + 2 * 60e9 + 3e9 + 4e6 + 5e3 + 6);
  t.is(parseDuration('250ms', 'f'), 250e6);
  t.is(parseDuration('10µs', 'f'), 10e3);
  t.is(parseDuration('0', 'f'), 0);
  t.is(parseDuration('0s', 'f'), 0);
});

test('garbage durations are refused with InvalidLimit', (t) => {
  for (const bad of [
    '',
    '6',
    '10',
    '6 h',
    ' 6h',
    '6H',
    '6hours',
    '1d',
    '1w',
    '-6h',
    '+6h',
    'h',
    '.5h',
    '5.h',
    '6h-',
    '1y',
    'forever',
    '6h30',
  ]) {
    const err = t.throws(() => parseDuration(bad, 'spec.maxage'), { instanceOf: TerminalError }, bad);
    t.is(err.reason, 'InvalidLimit');
    t.regex(err?.message ?? '', /^spec\.maxage: /);
  }
  for (const bad of [6, 0, null, undefined, {}, ['6h']]) {
    t.throws(
      () => parseDuration(bad, 'f'),
      { instanceOf: TerminalError },
      JSON.stringify(bad) ?? 'undefined',
    );
  }
  t.throws(
    () => parseDuration('2562048h', 'f'),
    { instanceOf: TerminalError },
    'longer than int64 nanoseconds',
  );
});

test('counts are whole numbers written as numbers or digits', (t) => {
  t.is(parseCount(100000, 'f'), 100000);
  t.is(parseCount('1000000', 'f'), 1000000);
  for (const bad of ['1M', '1e6', '-1', '1.0', '', ' 1', 1.5, -1, null, {}, '99999999999999999999']) {
    t.throws(
      () => parseCount(bad, 'spec.maxmsgs'),
      { instanceOf: TerminalError },
      JSON.stringify(bad) ?? 'undefined',
    );
  }
});

test('storage quantities follow the Kubernetes grammar and round up to a byte', (t) => {
  t.is(parseStorageQuantity('10Gi', 'f'), 10 * 1024 ** 3);
  t.is(parseStorageQuantity('500M', 'f'), 500e6);
  t.is(parseStorageQuantity('1.5Gi', 'f'), 1.5 * 1024 ** 3);
  t.is(parseStorageQuantity('1e9', 'f'), 1e9);
  t.is(parseStorageQuantity('1500m', 'f'), 2);
  t.is(parseStorageQuantity(1024, 'f'), 1024);
  for (const bad of ['-1Gi', '10GB', 'ten', '', '1 Gi', null]) {
    t.throws(
      () => parseStorageQuantity(bad, 'f'),
      { instanceOf: TerminalError },
      JSON.stringify(bad) ?? 'undefined',
    );
  }
});

test('any string either parses as a duration or gives a TerminalError, never another error', (t) => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        const ns = parseDuration(s, 'f');
        return Number.isFinite(ns) && ns >= 0;
      } catch (err) {
        return err instanceof TerminalError;
      }
    }),
  );
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        return Number.isSafeInteger(parseSize(s, 'f'));
      } catch (err) {
        return err instanceof TerminalError;
      }
    }),
  );
  t.pass();
});

test('a formatted duration parses back to the same nanoseconds', (t) => {
  t.is(formatDuration(6 * H), '6h0m0s');
  t.is(formatDuration(1.5e9), '1.5s');
  t.is(formatDuration(250e6), '250ms');
  t.is(formatDuration(0), '0s');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (ns) => parseDuration(formatDuration(ns), 'f') === ns),
  );
  t.pass();
});
