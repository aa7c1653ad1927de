/**
 * The one backoff: capped exponential delays, jitter that stays inside its bounds, and the four
 * policies that use it (watch, job retry, enqueue batcher, Kafka partition settling) giving the
 * delays they gave before they shared it.
 */
import test from 'ava';
import {
  backoffDelay,
  defaultBackoffPolicy,
  ENQUEUE_BACKOFF,
  exponentialBackoff,
  RETRY_BACKOFF,
  WATCH_BACKOFF,
  type BackoffPolicy,
} from '../../runtime/backoff.js';
import { backoffStrategy } from '../../runtime/queue/options.js';

const low = (): number => 0;
const mid = (): number => 0.5;
const high = (): number => 1;
const delays = (policy: BackoffPolicy, n: number, random: () => number): number[] =>
  Array.from({ length: n }, (_, i) => backoffDelay(i + 1, policy, random));

test('a delay doubles from the initial one until the cap, and stays there', (t) => {
  t.deepEqual(delays({ initialMs: 100, maxMs: 1000 }, 6, low), [100, 200, 400, 800, 1000, 1000]);
});

test('the factor sets the growth from one retry to the next', (t) => {
  t.deepEqual(delays({ initialMs: 100, maxMs: 10_000, factor: 3 }, 4, low), [100, 300, 900, 2700]);
});

test('an attempt of zero or below counts as the first retry', (t) => {
  t.is(backoffDelay(0, { initialMs: 100, maxMs: 1000 }), 100);
  t.is(backoffDelay(-5, { initialMs: 100, maxMs: 1000 }), 100);
});

test('a very high attempt count gives the cap, not Infinity or NaN', (t) => {
  t.is(backoffDelay(10_000, RETRY_BACKOFF, mid), 1_000_000);
  t.is(backoffDelay(Number.MAX_SAFE_INTEGER, WATCH_BACKOFF, low), 30_000);
});

test('upward jitter lengthens a delay by at most its ratio and never passes the cap', (t) => {
  const policy: BackoffPolicy = { initialMs: 100, maxMs: 1000, jitter: { up: 0.5 } };
  t.is(backoffDelay(1, policy, low), 100);
  t.is(backoffDelay(1, policy, high), 150);
  t.is(backoffDelay(4, policy, high), 1000);
});

test('jitter around a delay spreads it both ways by its ratio and never passes the cap', (t) => {
  const policy: BackoffPolicy = { initialMs: 100, maxMs: 1000, jitter: { around: 0.2 } };
  t.is(backoffDelay(1, policy, low), 80);
  t.is(backoffDelay(1, policy, mid), 100);
  t.is(backoffDelay(1, policy, high), 120);
  t.is(backoffDelay(5, policy, high), 1000);
});

test('the watch backoff is 0.8 s doubling to 30 s, each delay up to twice as long', (t) => {
  t.deepEqual(delays(WATCH_BACKOFF, 7, low), [800, 1600, 3200, 6400, 12_800, 25_600, 30_000]);
  t.deepEqual(delays(WATCH_BACKOFF, 6, high), [1600, 3200, 6400, 12_800, 25_600, 30_000]);
});

test('a backoff counts its failures and starts again after a reset', (t) => {
  const b = exponentialBackoff(WATCH_BACKOFF, low);
  t.deepEqual([b.next(), b.next(), b.next()], [800, 1600, 3200]);
  b.reset();
  t.is(b.next(), 800);
  const d = defaultBackoffPolicy().next();
  t.true(d >= 800 && d <= 1600, `first default watch delay ${d}`);
});

test('the retry backoff is 5 ms doubling to the 1000 s cap at the 19th failure, ± 20 %', (t) => {
  t.deepEqual(delays(RETRY_BACKOFF, 4, mid), [5, 10, 20, 40]);
  t.is(backoffDelay(18, RETRY_BACKOFF, mid), 655_360);
  t.is(backoffDelay(19, RETRY_BACKOFF, mid), 1_000_000);
  t.is(backoffDelay(10, RETRY_BACKOFF, low), Math.round(2560 * 0.8));
  t.is(backoffDelay(10, RETRY_BACKOFF, high), Math.round(2560 * 1.2));
});

test('the worker strategy counts only the failures since the last success', (t) => {
  const strategy = backoffStrategy({ initialMs: 100, maxMs: 100_000 });
  t.is(strategy(3), 400);
  t.is(strategy(3, 'sluice', undefined, { data: { failBase: 2 } }), 100);
  t.is(strategy(3, 'sluice', undefined, { data: { failBase: 'x' } }), 400);
});

test('the enqueue batcher waits 0.2 s doubling to 10 s between failed writes', (t) => {
  t.deepEqual(delays(ENQUEUE_BACKOFF, 7, mid), [200, 400, 800, 1600, 3200, 6400, 10_000]);
});
