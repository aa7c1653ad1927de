/**
 * @module runtime/history/writer
 * Writes reconcile history off the job's path: a worker hands each finished reconcile to
 * {@link HistoryWriter.record}, which only appends to a buffer; the buffer is written every tick
 * (or sooner when it holds a full batch) in one script call per batch, on the writer's own Redis
 * connection.
 *
 * Guarantees:
 * - no job waits on history: recording is synchronous and does no I/O;
 * - per object, at most `records` entries and `bytes` bytes are kept (oldest dropped first; the
 *   newest record stays even if it alone is larger), expiring `ttlSeconds` after the last one;
 * - the kind's dead-letter set holds the objects whose last reconcile failed (retried or
 *   terminal); a success, a requeueAfter or a vanished object takes an object out of it.
 *
 * Caveats: history is best-effort. A batch that cannot be written (Redis down) is dropped with a
 * warning rather than retried, so an outage never grows the worker's memory; the buffer holds at
 * most `maxBuffer` records (the oldest are dropped beyond that); a process killed with SIGKILL
 * loses the records of its last tick. `close()` writes what is buffered.
 *
 * Costs: one `EVALSHA` per batch of up to `maxBatch` records (per record inside Redis: LPUSH,
 * maybe LTRIM, PEXPIRE, and a ZADD or ZREM; an LRANGE of the list when the byte cap is on and the
 * object has older records).
 */
import { createRedis, type RedisClient, type RedisTarget } from '../redis/connection.js';
import type { HistorySettings } from '../config.js';
import { messageOf } from '../errors.js';
import type { ObjectRef } from '../kube/object-ref.js';
import type { Logger } from '../log.js';
import type { KindInfo } from '../registry.js';
import { deadLetterKey, historyKey, jobKey } from '../kube/keys.js';
import type { HistoryRecord } from './record.js';

/** Dead letters kept per kind (the most recent failures). */
export const DEAD_LETTER_CAP = 1000;

/**
 * KEYS[1] the dead-letter set, KEYS[2..] one history list per record.
 * ARGV[1] records, ARGV[2] bytes (0: no cap), ARGV[3] ttl ms (0: none), ARGV[4] now ms,
 * ARGV[5] dead-letter cap; then four per record: JSON, dead-letter op (+ add, - remove, = keep),
 * the object key, the failure time.
 */
const WRITE_HISTORY = `
local max, bytes, ttl, now, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
for i = 2, #KEYS do
  local a = 6 + (i - 2) * 4
  local key = KEYS[i]
  local n = redis.call('LPUSH', key, ARGV[a])
  if n > max then redis.call('LTRIM', key, 0, max - 1); n = max end
  if bytes > 0 and n > 1 then
    local items = redis.call('LRANGE', key, 0, -1)
    local total, keep = 0, 0
    for j = 1, #items do
      total = total + #items[j]
      if total > bytes and j > 1 then break end
      keep = j
    end
    if keep < #items then redis.call('LTRIM', key, 0, keep - 1) end
  end
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  local op = ARGV[a + 1]
  if op == '+' then redis.call('ZADD', KEYS[1], ARGV[a + 3], ARGV[a + 2])
  elseif op == '-' then redis.call('ZREM', KEYS[1], ARGV[a + 2]) end
end
if ttl > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ttl) end
end
local c = redis.call('ZCARD', KEYS[1])
if c > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, c - cap - 1) end
return #KEYS - 1`;

interface HistoryCommands {
  sluiceWriteHistory(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface HistoryWriterOptions {
  /** The queues' Redis (one server, Sentinel or Cluster); the records share each queue's slot. */
  readonly redis: RedisTarget;
  /** BullMQ key prefix. @defaultValue `sluice` */
  readonly prefix?: string;
  readonly settings: HistorySettings;
  readonly log: Logger;
  /** How long a record may wait in the buffer. @defaultValue 50 ms */
  readonly flushMs?: number;
  /** Records per script call; a full batch is written at once. @defaultValue 500 */
  readonly maxBatch?: number;
  /** Records buffered at most; the oldest are dropped beyond. @defaultValue 10 000 */
  readonly maxBuffer?: number;
}

interface Pending {
  readonly key: string;
  readonly objectKey: string;
  readonly json: string;
  readonly dead: '+' | '-' | '=';
  readonly at: number;
}

/** Whether a record puts its object into the dead letters, takes it out, or leaves them be. */
function deadOp(r: HistoryRecord): Pending['dead'] {
  if (r.outcome === 'error' || r.outcome === 'terminal') return '+';
  if (r.outcome === 'paused') return '=';
  return '-';
}

export class HistoryWriter {
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private redis: (RedisClient & HistoryCommands) | undefined;
  private closed = false;
  private warnedAt = 0;
  /** Records dropped because the buffer was full or a write failed. */
  dropped = 0;

  constructor(
    private readonly kind: KindInfo,
    private readonly opts: HistoryWriterOptions,
  ) {}

  /** Whether history is written at all (`SLUICE_HISTORY_RECORDS` is not 0). */
  get enabled(): boolean {
    return this.opts.settings.records > 0;
  }

  /** Buffers one record of `ref`; written within the flush period. Never throws, never waits. */
  record(ref: ObjectRef, record: HistoryRecord): void {
    if (!this.enabled || this.closed) return;
    const prefix = this.opts.prefix ?? 'sluice';
    this.buffer.push({
      key: historyKey(prefix, this.kind, ref),
      objectKey: jobKey(ref),
      json: JSON.stringify(record),
      dead: deadOp(record),
      at: record.finishedAt,
    });
    const max = this.opts.maxBuffer ?? 10_000;
    if (this.buffer.length > max) {
      this.dropped += this.buffer.length - max;
      this.buffer.splice(0, this.buffer.length - max);
    }
    if (this.buffer.length >= (this.opts.maxBatch ?? 500)) this.schedule(0);
    else this.schedule(this.opts.flushMs ?? 50);
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  private client(): RedisClient & HistoryCommands {
    if (!this.redis) {
      const redis = createRedis(this.opts.redis, 'writer');
      redis.on('error', () => undefined);
      redis.defineCommand('sluiceWriteHistory', { lua: WRITE_HISTORY });
      this.redis = redis as RedisClient & HistoryCommands;
    }
    return this.redis;
  }

  /** Writes everything buffered so far; resolves when it is written (or dropped on failure). */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writeAll());
    return this.writing;
  }

  private async writeAll(): Promise<void> {
    const { settings } = this.opts;
    const batchSize = this.opts.maxBatch ?? 500;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, batchSize);
      const keys = [deadLetterKey(this.opts.prefix ?? 'sluice', this.kind), ...batch.map((p) => p.key)];
      const args: (string | number)[] = [
        settings.records,
        settings.bytes,
        settings.ttlSeconds * 1000,
        Date.now(),
        DEAD_LETTER_CAP,
      ];
      for (const p of batch) args.push(p.json, p.dead, p.objectKey, p.at);
      try {
        await this.client().sluiceWriteHistory(keys.length, ...keys, ...args);
      } catch (err) {
        this.dropped += batch.length;
        // One warning per ten seconds, not one per batch, while Redis is unreachable.
        if (Date.now() - this.warnedAt > 10_000) {
          this.warnedAt = Date.now();
          this.opts.log.warn(
            { err: messageOf(err), kind: this.kind.kind, dropped: this.dropped },
            'could not write reconcile history; those records are dropped',
          );
        }
      }
    }
  }

  /** Writes what is buffered and closes the connection; later records are ignored. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    this.closed = true;
    this.redis?.disconnect();
    this.redis = undefined;
  }
}
