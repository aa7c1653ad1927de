/**
 * @module runtime/queue/queues
 * One BullMQ queue per kind, created on first use, all sharing one Redis connection made by the
 * connection factory (one server, Sentinel or Cluster alike).
 */
import { Queue } from 'bullmq';
import type { KindInfo } from '../registry.js';
import { createRedis, type RedisClient, type RedisTarget } from '../redis/connection.js';

export interface QueueSetOptions {
  /** The Redis to use: an endpoint (`SluiceConfig.redis`) or one server's URL. */
  readonly redis: RedisTarget;
  /** BullMQ key prefix. @defaultValue `sluice` */
  readonly prefix?: string;
  /** Length of each queue's event stream. @defaultValue 2000 */
  readonly eventsMaxLen?: number;
}

export class QueueSet {
  readonly connection: RedisClient;
  readonly prefix: string;
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly opts: QueueSetOptions) {
    this.prefix = opts.prefix ?? 'sluice';
    this.connection = createRedis(opts.redis, 'queue');
    this.connection.on('error', () => undefined);
  }

  get(kind: KindInfo): Queue {
    let q = this.queues.get(kind.queue);
    if (!q) {
      q = new Queue(kind.queue, {
        connection: this.connection,
        prefix: this.prefix,
        streams: { events: { maxLen: this.opts.eventsMaxLen ?? 2000 } },
      });
      q.on('error', () => undefined);
      this.queues.set(kind.queue, q);
    }
    return q;
  }

  all(): readonly Queue[] {
    return [...this.queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
    this.queues.clear();
    this.connection.disconnect();
  }
}
