/**
 * @module runtime/queue/queues
 * One BullMQ queue per kind, created on first use, all sharing one Redis connection.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { KindInfo } from '../registry.js';

export interface QueueSetOptions {
  readonly redisUrl: string;
  /** BullMQ key prefix. @defaultValue `sluice` */
  readonly prefix?: string;
  /** Length of each queue's event stream. @defaultValue 2000 */
  readonly eventsMaxLen?: number;
}

/** Connection options for BullMQ: blocking commands must never time out. */
export function redisOptions() {
  return { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
}

export class QueueSet {
  readonly connection: Redis;
  readonly prefix: string;
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly opts: QueueSetOptions) {
    this.prefix = opts.prefix ?? 'sluice';
    this.connection = new Redis(opts.redisUrl, redisOptions());
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
