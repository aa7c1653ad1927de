/**
 * @module runtime/dispatcher/http/work-routes
 * `GET /api/v1/queues/{queue}/work`: how much work a kind's queue holds right now, for an
 * autoscaler (KEDA's metrics-api scaler reads `work`). The answer is
 * `{queue, kind, work, waiting, prioritized, active, delayed, dueDelayed}` where
 * `work = waiting + active + dueDelayed`; `waiting` counts every job ready to run (the plain wait
 * list and the prioritized set), and `dueDelayed` the delayed jobs whose time has come (backoffs
 * and `requeueAfter` that only a running worker promotes). Counting the due delayed jobs is what
 * lets workers scale to zero without stranding a requeue: a due job wakes a worker.
 *
 * `{queue}` is a queue name with or without its braces (`{stream.tawon.mantisnet.com}` or
 * `stream.tawon.mantisnet.com`). The route sits under `/api/`, so it needs a bearer token.
 */
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { KindInfo, KindRegistry } from '../../registry.js';
import { HttpError } from './errors.js';

export interface WorkRouteDeps {
  readonly registry: KindRegistry;
  /** Every kind's queue. */
  readonly queues: readonly Queue[];
}

/** The work of one queue, as the route answers it. */
export interface QueueWork {
  readonly queue: string;
  readonly kind: string;
  readonly work: number;
  readonly waiting: number;
  readonly prioritized: number;
  readonly active: number;
  readonly delayed: number;
  readonly dueDelayed: number;
}

const DUE_DELAYED = 'sluiceDueDelayed';
const DUE_DELAYED_LUA = "return redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])";
const defined = new WeakSet<object>();

/**
 * The highest delayed-set score that is due at `nowMs`. BullMQ scores a delayed job
 * `dueTimestamp * 0x1000 + n` (n < 4096 orders jobs due in the same millisecond), and promotes
 * those up to `(now + 1) * 0x1000 - 1`.
 */
export function dueScore(nowMs: number): number {
  return (Math.floor(nowMs) + 1) * 0x1000 - 1;
}

/** Counts the delayed jobs of `queue` that are due at `nowMs` (one ZCOUNT on the delayed set). */
export async function dueDelayedCount(queue: Queue, nowMs: number): Promise<number> {
  const client = await queue.getBackend().client;
  if (!defined.has(client)) {
    client.defineCommand(DUE_DELAYED, { numberOfKeys: 1, lua: DUE_DELAYED_LUA, readOnly: true });
    defined.add(client);
  }
  const n: unknown = await client.runCommand(DUE_DELAYED, [queue.keys.delayed, String(dueScore(nowMs))]);
  return typeof n === 'number' ? n : Number(n);
}

/** Reads the work of one kind's queue. */
export async function queueWork(queue: Queue, kind: KindInfo, nowMs = Date.now()): Promise<QueueWork> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
  const dueDelayed = await dueDelayedCount(queue, nowMs);
  const plain = counts.waiting ?? 0;
  const prioritized = counts.prioritized ?? 0;
  const active = counts.active ?? 0;
  const waiting = plain + prioritized;
  return {
    queue: queue.name,
    kind: kind.kind,
    work: waiting + active + dueDelayed,
    waiting,
    prioritized,
    active,
    delayed: counts.delayed ?? 0,
    dueDelayed,
  };
}

function resolve(deps: WorkRouteDeps, name: string): { queue: Queue; kind: KindInfo } {
  const braced = name.startsWith('{') ? name : `{${name}}`;
  const kind = deps.registry.byQueue(braced);
  const queue = kind ? deps.queues.find((q) => q.name === kind.queue) : undefined;
  if (!kind || !queue) {
    throw new HttpError(
      404,
      'UnknownQueue',
      `no queue ${JSON.stringify(name.slice(0, 100))}; known: ${deps.registry
        .all()
        .map((k) => k.queue)
        .join(', ')}`,
    );
  }
  return { queue, kind };
}

/** Registers `GET /api/v1/queues/:queue/work`. */
export function registerWorkRoutes(app: FastifyInstance, deps: WorkRouteDeps): void {
  app.get<{ Params: { queue: string } }>('/api/v1/queues/:queue/work', async (req) => {
    const { queue, kind } = resolve(deps, req.params.queue);
    try {
      return await queueWork(queue, kind);
    } catch {
      throw new HttpError(503, 'Unavailable', 'Redis could not be reached; try again');
    }
  });
}
