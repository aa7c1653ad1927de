/**
 * Unit tests of Tawon limit resolution: request, else the store's default, else its hard limit;
 * requests above the hard limit are listed; store defaults above their limits are refused.
 */
import test from 'ava';
import { TerminalError } from '../../../runtime/index.js';
import { parseLimits, parseStoreLimits, resolveLimits } from '../../../shared/tawon/limits.js';

const H = 3600e9;

/** The seed's StreamStore example. */
const seedStore = parseStoreLimits({
  defaults: { maxsize: 1000000, maxage: '240h', maxbytes: '1G' },
  limits: { max: 10000000, maxage: '2400h', maxbytes: '2G' },
});

test('the seed Stream gets exactly what it asks for on the seed store', (t) => {
  const { applied, clamped } = resolveLimits(
    parseLimits({ maxmsgs: 100000, maxage: '6h', maxbytes: '1G' }, 'spec'),
    seedStore,
  );
  t.deepEqual(clamped, []);
  t.deepEqual(applied, {
    maxmsgs: { value: 100000, text: '100000', source: 'request' },
    maxage: { value: 6 * H, text: '6h', source: 'request' },
    maxbytes: { value: 1e9, text: '1G', source: 'request' },
  });
});

test('a Stream that asks for nothing gets the store defaults', (t) => {
  const { applied } = resolveLimits(parseLimits({}, 'spec'), seedStore);
  t.is(applied.maxmsgs?.value, 1000000);
  t.is(applied.maxage?.value, 240 * H);
  t.is(applied.maxbytes?.value, 1e9);
  t.is(applied.maxage?.source, 'default');
});

test('without a default the hard limit applies, and without either there is no limit', (t) => {
  const store = parseStoreLimits({ limits: { maxage: '24h' } });
  const { applied } = resolveLimits({}, store);
  t.deepEqual(applied.maxage, { value: 24 * H, text: '24h', source: 'limit' });
  t.is(applied.maxmsgs, undefined);
  t.is(applied.maxbytes, undefined);
});

test('requests above the hard limits get the hard limits, and each is listed as clamped', (t) => {
  const { applied, clamped } = resolveLimits(
    parseLimits({ maxmsgs: 20000000, maxage: '3000h', maxbytes: '2G' }, 'spec'),
    seedStore,
  );
  t.deepEqual(applied, {
    maxmsgs: { value: 10000000, text: '10000000', source: 'limit' },
    maxage: { value: 2400 * H, text: '2400h', source: 'limit' },
    maxbytes: { value: 2e9, text: '2G', source: 'request' },
  });
  t.deepEqual(
    clamped.map((c) => [c.name, c.asked.text, c.applied.text]),
    [
      ['maxmsgs', '20000000', '10000000'],
      ['maxage', '3000h', '2400h'],
    ],
    'a request equal to the limit (maxbytes 2G) is not clamped',
  );
});

test('a request above a hard limit written in other units is compared by value', (t) => {
  const store = parseStoreLimits({ limits: { maxage: '90m', maxbytes: '1Gi' } });
  const { applied, clamped } = resolveLimits(parseLimits({ maxage: '2h', maxbytes: '1G' }, 'spec'), store);
  t.deepEqual(applied.maxage, { value: 1.5 * H, text: '90m', source: 'limit' });
  t.is(applied.maxbytes?.source, 'request', '1G is below 1Gi');
  t.deepEqual(
    clamped.map((c) => c.name),
    ['maxage'],
  );
});

test('a store default above its own hard limit is InvalidLimit', (t) => {
  const err = t.throws(() => parseStoreLimits({ defaults: { maxage: '48h' }, limits: { maxage: '24h' } }), {
    instanceOf: TerminalError,
  });
  t.is(err.reason, 'InvalidLimit');
  t.regex(err?.message ?? '', /spec\.defaults\.maxage 48h exceeds spec\.limits\.maxage 24h/);
});

test('a misspelt store limit and a zero limit are refused, not ignored', (t) => {
  t.throws(() => parseStoreLimits({ defaults: { maxmsgs: 5 } }), {
    message: /spec\.defaults\.maxmsgs: unknown limit/,
  });
  t.throws(() => parseStoreLimits({ limits: { maxsize: 5 } }), {
    message: /spec\.limits\.maxsize: unknown limit/,
  });
  t.throws(() => parseLimits({ maxmsgs: 0 }, 'spec'), { message: /spec\.maxmsgs: must be positive/ });
  t.throws(() => parseLimits({ maxage: '0s' }, 'spec'), { message: /spec\.maxage: must be positive/ });
});
