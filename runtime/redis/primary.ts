/**
 * @module runtime/redis/primary
 * Noticing that Redis failed over. Replication is asynchronous, so a new primary may lack the
 * last writes of the old one: a just-added job, a deduplication key, a lock. The dispatcher asks
 * {@link PrimaryWatch.changed} on every checkpoint tick and, on a change, re-enqueues what may
 * have been lost (`runtime/dispatcher/recovery.ts`).
 *
 * What identifies "the primary":
 * - one server or Sentinel: the `run_id` of the server the client talks to (a Sentinel client
 *   follows `+switch-master` to the new primary, whose run id differs; a restart also changes it);
 * - Cluster: which node serves each slot range (`CLUSTER NODES`); a failover hands a range to the
 *   promoted replica, so only the queues on that range are affected.
 *
 * Costs: one `INFO server` or `CLUSTER NODES` per call (a few hundred bytes per node).
 */
import type { RedisClient } from './connection.js';

export type FailoverCause = 'restart' | 'switch-master' | 'cluster-failover';

export interface PrimaryChange {
  readonly cause: FailoverCause;
  /** The slots whose primary changed; `undefined` means every slot (one primary for all). */
  readonly slots?: (slot: number) => boolean;
}

/** Slot ranges (`[from, to]`, inclusive) and the node serving each. */
type SlotOwners = ReadonlyArray<{ readonly from: number; readonly to: number; readonly node: string }>;

/** The slot ranges of `CLUSTER NODES` output and the master serving each (importing/migrating marks skipped). */
export function slotOwners(nodes: string): SlotOwners {
  const owners: Array<{ from: number; to: number; node: string }> = [];
  for (const line of nodes.split('\n')) {
    const [id, , flags, , , , , , ...slots] = line.trim().split(' ');
    if (!id || !flags?.split(',').includes('master')) continue;
    for (const s of slots) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(s);
      if (m) owners.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]), node: id });
    }
  }
  return owners.sort((a, b) => a.from - b.from);
}

function ownerOf(owners: SlotOwners, slot: number): string | undefined {
  return owners.find((o) => o.from <= slot && slot <= o.to)?.node;
}

export class PrimaryWatch {
  private runId: string | undefined;
  private owners: SlotOwners | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly mode: 'single' | 'sentinel' | 'cluster',
  ) {}

  /** What changed since the last call; `undefined` on the first call or when nothing did. */
  async changed(): Promise<PrimaryChange | undefined> {
    if (this.mode === 'cluster') {
      const now = slotOwners((await this.redis.call('CLUSTER', 'NODES')) as string);
      const before = this.owners;
      this.owners = now;
      if (!before) return undefined;
      const moved = (slot: number): boolean => ownerOf(before, slot) !== ownerOf(now, slot);
      for (const o of now)
        if (moved(o.from) || moved(o.to)) return { cause: 'cluster-failover', slots: moved };
      for (const o of before) if (moved(o.from)) return { cause: 'cluster-failover', slots: moved };
      return undefined;
    }
    const info = await this.redis.info('server');
    const runId = /run_id:(\w+)/.exec(info)?.[1];
    const before = this.runId;
    this.runId = runId;
    if (before === undefined || runId === before) return undefined;
    return { cause: this.mode === 'sentinel' ? 'switch-master' : 'restart' };
  }
}
