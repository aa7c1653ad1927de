/**
 * The linger batcher: concurrent calls share batches, each call gets its own item's outcome, the
 * same key never appears twice in one batch, and a full batch does not wait for the linger.
 */
import test from 'ava';
import { Batcher, failed, ok, type Settled } from '../../../shared/brokers/batcher.js';

function recorder(outcome: (item: string) => Settled<string> = (i) => ok(i.toUpperCase())): {
  batches: string[][];
  run: (items: readonly string[]) => Promise<Settled<string>[]>;
} {
  const batches: string[][] = [];
  return {
    batches,
    run: (items) => {
      batches.push([...items]);
      return Promise.resolve(items.map(outcome));
    },
  };
}

const opts = { lingerMs: 20, maxBatch: 100, maxInFlight: 1 };

test('concurrent calls within the linger share one batch and each gets its own result', async (t) => {
  const r = recorder();
  const b = new Batcher(r.run, (s: string) => s, opts);
  const results = await Promise.all(['a', 'b', 'c'].map((s) => b.submit(s)));
  t.deepEqual(results, ['A', 'B', 'C']);
  t.deepEqual(r.batches, [['a', 'b', 'c']]);
  t.is(b.batches, 1);
});

test('a per-item failure rejects only that caller', async (t) => {
  const r = recorder((i) => (i === 'bad' ? failed(new Error(`no ${i}`)) : ok(i)));
  const b = new Batcher(r.run, (s: string) => s, opts);
  const [good, bad] = await Promise.allSettled([b.submit('good'), b.submit('bad')]);
  t.deepEqual(good, { status: 'fulfilled', value: 'good' });
  t.is(bad?.status, 'rejected');
  t.is(r.batches.length, 1);
});

test('a batch that throws rejects every caller in it with that error', async (t) => {
  const boom = new Error('broker down');
  const b = new Batcher<string, string>(
    () => Promise.reject(boom),
    (s) => s,
    opts,
  );
  const results = await Promise.allSettled([b.submit('a'), b.submit('b')]);
  t.deepEqual(
    results.map((r): unknown => (r.status === 'rejected' ? r.reason : undefined)),
    [boom, boom],
  );
});

test('two calls with the same key go in different batches', async (t) => {
  const r = recorder();
  const b = new Batcher(r.run, (s: string) => s, opts);
  await Promise.all([b.submit('x'), b.submit('y'), b.submit('x')]);
  t.deepEqual(r.batches, [['x', 'y'], ['x']]);
});

test('more calls than maxBatch are split into full batches', async (t) => {
  const r = recorder();
  const b = new Batcher(r.run, (s: string) => s, { lingerMs: 10_000, maxBatch: 2, maxInFlight: 4 });
  await Promise.all(['a', 'b', 'c', 'd'].map((s) => b.submit(s)));
  // The linger is far longer than the test timeout: only full batches can have gone.
  t.deepEqual(r.batches, [
    ['a', 'b'],
    ['c', 'd'],
  ]);
});

test('calls made while the only batch slot is busy form one larger batch after it', async (t) => {
  const batches: string[][] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const b = new Batcher<string, string>(
    async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await gate;
      return items.map((i) => ok(i));
    },
    (s) => s,
    { lingerMs: 1, maxBatch: 100, maxInFlight: 1 },
  );
  const first = b.submit('first');
  while (batches.length === 0) await new Promise((r) => setTimeout(r, 5));
  const later = ['l1', 'l2', 'l3'].map((s) => b.submit(s));
  // 30 linger periods: a batcher that ignored maxInFlight would have sent the second batch long
  // before. A slow machine can only make this window catch less, never fail a correct batcher.
  await new Promise((r) => setTimeout(r, 30));
  t.is(batches.length, 1, 'nothing else runs while the slot is busy');
  release();
  await Promise.all([first, ...later]);
  t.deepEqual(batches, [['first'], ['l1', 'l2', 'l3']]);
});

test('close rejects queued calls and every later call', async (t) => {
  const r = recorder();
  const b = new Batcher(r.run, (s: string) => s, { lingerMs: 10_000, maxBatch: 100, maxInFlight: 1 });
  const queued = b.submit('a');
  const closed = new Error('closed');
  b.close(closed);
  await t.throwsAsync(queued, { is: closed });
  await t.throwsAsync(b.submit('b'), { is: closed });
  t.deepEqual(r.batches, []);
});
