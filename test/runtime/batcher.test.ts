/**
 * The dispatcher's enqueue batcher on a real Redis, as a group commit: a lone request waits for
 * no timer, the requests of one turn share a write, and those arriving while a write is in flight
 * go together in the next one.
 */
import test from 'ava';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  createLogger,
  type EnqueueRequest,
  type EnqueueResult,
  type ObjectRef,
  type Priority,
} from '../../runtime/index.js';
import { EnqueueBatcher } from '../../runtime/queue/batcher.js';
import { isolation, testEnv } from '../helpers/env.js';
import { WidgetKind } from './widget-function.js';

/** An Enqueuer that notes the size of every write it is asked for. */
class CountingEnqueuer extends Enqueuer {
  readonly writes: number[] = [];
  override enqueue(requests: readonly EnqueueRequest[], priority?: Priority): Promise<EnqueueResult[]> {
    this.writes.push(requests.length);
    return super.enqueue(requests, priority);
  }
}

const ref = (name: string): ObjectRef => ({
  group: WidgetKind.group,
  version: WidgetKind.version,
  kind: WidgetKind.kind,
  namespace: 'batcher',
  name,
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a lone request is written after its turn, and requests made during that write go together next', async (t) => {
  const queues = new QueueSet({ redis: testEnv().redisUrl, prefix: isolation('batcher').queuePrefix });
  t.teardown(async () => {
    await queues.get(WidgetKind).obliterate({ force: true });
    await queues.close();
  });
  const enqueuer = new CountingEnqueuer(queues, new KindRegistry([WidgetKind]));
  const batcher = new EnqueueBatcher(enqueuer, createLogger({ level: 'silent' }));
  batcher.add(ref('first'), 'event', 'normal');
  t.deepEqual(enqueuer.writes, [], 'nothing is written inside the turn that added it');
  await turn();
  t.deepEqual(enqueuer.writes, [1], 'the write starts as soon as the turn is over, without a linger timer');
  for (let i = 0; i < 10; i++) batcher.add(ref(`during-${i}`), 'event', 'normal');
  await turn();
  t.deepEqual(enqueuer.writes, [1], 'requests made while a write is in flight wait for it');
  await batcher.flush();
  t.deepEqual(enqueuer.writes, [1, 10], 'and then go in one write');
  for (let i = 0; i < 20; i++) batcher.add(ref(`burst-${i % 15}`), 'event', 'normal');
  await batcher.close();
  t.deepEqual(enqueuer.writes, [1, 10, 15], 'one turn’s requests share a write, one per object');
  t.is(await queues.get(WidgetKind).count(), 26);
});
