/**
 * @module queue/fenced
 * Writes to a job that hold only while this worker still holds the job's lock. BullMQ's own
 * `updateData` checks only that a job of that id exists; after Redis lost its data (restarted
 * empty, or a failover that dropped writes), job ids start again from 1, so a worker finishing a
 * reconcile it took before the loss would overwrite another object's new job of the same id: that
 * object's reconcile would then never run. The lock check makes the write atomic with the lease.
 *
 * Cost: one script call (the same round trip as `updateData`); the script is registered once per
 * client, as BullMQ registers its own.
 */
import type { IRedisClient } from 'bullmq';

/** KEYS[1] the job hash, KEYS[2] its lock; ARGV[1] the lock token, ARGV[2] the data (JSON). */
const UPDATE_IF_LOCKED = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
return 1`;

/**
 * Replaces the data of the job whose hash is `jobKey` if `token` still holds its lock.
 * @returns false when the lock is gone (the lease was lost, or Redis lost the job): nothing written.
 */
export async function updateDataIfLocked(
  redis: IRedisClient,
  jobKey: string,
  token: string,
  data: unknown,
): Promise<boolean> {
  if (!defined.has(redis)) {
    redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: UPDATE_IF_LOCKED });
    defined.add(redis);
  }
  const done: unknown = await redis.runCommand(COMMAND, [
    jobKey,
    `${jobKey}:lock`,
    token,
    JSON.stringify(data),
  ]);
  return done === 1;
}

const COMMAND = 'sluiceUpdateDataIfLocked';
const defined = new WeakSet<IRedisClient>();
