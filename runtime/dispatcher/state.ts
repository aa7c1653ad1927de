/**
 * @module runtime/dispatcher/state
 * What the dispatcher keeps in Redis besides the queues:
 * - the last resourceVersion each watch reached after its events were enqueued, so a restarted
 *   dispatcher resumes its watches instead of treating every object as new;
 * - an epoch marker, whose disappearance means Redis lost its data (restarted empty): the
 *   dispatcher then re-enqueues every object it knows.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';
import { checkpointKey, epochKey } from '../kube/keys.js';

export class DispatcherState {
  private epochId: string | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private get epochKey(): string {
    return epochKey(this.prefix);
  }

  private rvKey(source: string): string {
    return checkpointKey(this.prefix, source);
  }

  /** Makes sure the epoch marker exists; `fresh` when this call had to create it. */
  async ensureEpoch(): Promise<{ fresh: boolean }> {
    const id = randomUUID();
    const created = await this.redis.set(this.epochKey, id, 'NX');
    if (created === 'OK') {
      this.epochId = id;
      return { fresh: true };
    }
    this.epochId = (await this.redis.get(this.epochKey)) ?? id;
    return { fresh: false };
  }

  /** True when the epoch marker this dispatcher knew has gone (Redis lost its data); it is then re-created. */
  async lostData(): Promise<boolean> {
    if (this.epochId === undefined) return false;
    const current = await this.redis.get(this.epochKey);
    if (current === this.epochId) return false;
    if (current !== null) {
      this.epochId = current;
      return false;
    }
    await this.ensureEpoch();
    return true;
  }

  async loadResourceVersion(source: string): Promise<string | undefined> {
    return (await this.redis.get(this.rvKey(source))) ?? undefined;
  }

  /** One SET per key (not MSET), so the keys may live on different Redis Cluster slots. */
  async saveResourceVersions(rvs: ReadonlyMap<string, string>): Promise<void> {
    if (rvs.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [k, v] of rvs) pipeline.set(this.rvKey(k), v);
    await pipeline.exec();
  }
}
