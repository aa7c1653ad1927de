/**
 * @module runtime/dispatcher/state
 * What the dispatcher keeps in Redis besides the queues:
 * - the last resourceVersion each watch reached after its events were enqueued, so a restarted
 *   dispatcher resumes its watches instead of treating every object as new;
 * - an epoch marker, whose disappearance means Redis lost its data (restarted empty): the
 *   dispatcher then re-enqueues every object it knows.
 *
 * All of these keys carry the `{dispatcher}` hash tag (`runtime/kube/keys.ts`), so on a Redis
 * Cluster they live in one slot and the checkpoints are written in one `MSET` (one round trip,
 * all or nothing). Upgrade: the keys of releases before the tag are read when the new ones are
 * absent, so an upgraded dispatcher resumes where the old one stopped; they are left for the old
 * release's pods that may still run during a rolling upgrade (a few bytes each).
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';
import { checkpointKey, epochKey, legacyCheckpointKey, legacyEpochKey } from '../kube/keys.js';

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

  /**
   * Makes sure the epoch marker exists; `fresh` when this call had to create it and no release
   * before the hash tag left its own marker (an upgrade is not a Redis that lost its data).
   */
  async ensureEpoch(): Promise<{ fresh: boolean }> {
    const id = randomUUID();
    const created = await this.redis.set(this.epochKey, id, 'NX');
    if (created === 'OK') {
      this.epochId = id;
      return { fresh: (await this.redis.exists(legacyEpochKey(this.prefix))) === 0 };
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

  /**
   * The checkpoints of several sources in one `MGET` (one slot on a Redis Cluster); only the
   * sources without one fall back to the keys of releases before the hash tag, in parallel.
   * A start resumes every watch one round trip after the epoch check, not one per source.
   */
  async loadResourceVersions(sources: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (sources.length === 0) return out;
    const values = await this.redis.mget(sources.map((s) => this.rvKey(s)));
    const missing: string[] = [];
    sources.forEach((s, i) => {
      const v = values[i];
      if (v) out.set(s, v);
      else missing.push(s);
    });
    const legacy = await Promise.all(missing.map((s) => this.redis.get(legacyCheckpointKey(this.prefix, s))));
    missing.forEach((s, i) => {
      const v = legacy[i];
      if (v) out.set(s, v);
    });
    return out;
  }

  /** All checkpoints in one `MSET`: one round trip, and one slot on a Redis Cluster. */
  async saveResourceVersions(rvs: ReadonlyMap<string, string>): Promise<void> {
    if (rvs.size === 0) return;
    await this.redis.mset(new Map([...rvs].map(([k, v]) => [this.rvKey(k), v])));
  }
}
