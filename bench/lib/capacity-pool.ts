/**
 * @module bench/lib/capacity-pool
 * The capacity benchmark's worker processes (`bench/proc/capacity-worker.ts`): grown, shrunk and
 * SIGKILLed by the driver, each appending its records to a file of its own under a folder in the
 * system's temporary directory. {@link WorkerPool.collect} reads what every file gained since the
 * last call; the driver calls it only when the queue is drained, so no run spans two reads except
 * those of killed processes, which stay open and end at the kill.
 */
import { existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testEnv } from '../../test/helpers/env.js';
import { parseRecords, type Interval, type JobRecord } from './capacity-records.js';
import { cpuSeconds, NodeChild, stopChild } from './procs.js';
import type { RedisRequestCounts } from './redis-requests.js';

export interface PoolSettings {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Reconciles at once per process. */
  readonly concurrency: number;
  /** What the reconciler waits before its status write. */
  readonly reconcileMs: number;
}

interface Member {
  readonly id: string;
  readonly child: NodeChild;
  readonly file: string;
  offset: number;
  /** When it was SIGKILLed (its open runs end there). */
  killedAt?: number;
  /** Its Redis clients' counts as of its latest report. */
  sent: RedisRequestCounts;
}

/** What the files gained since the previous {@link WorkerPool.collect}. */
export interface Collected {
  readonly intervals: Interval[];
  readonly jobs: JobRecord[];
}

export class WorkerPool {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-capacity-'));
  private readonly members: Member[] = [];
  private serial = 0;

  constructor(private readonly settings: PoolSettings) {}

  /** The processes running now (not killed, not stopped). */
  get size(): number {
    return this.live().length;
  }

  private live(): Member[] {
    return this.members.filter((m) => m.killedAt === undefined && m.child.child.exitCode === null);
  }

  /** Starts processes until `count` run; resolves once each has its worker started. */
  async grow(count: number): Promise<void> {
    const missing = count - this.size;
    await Promise.all(Array.from({ length: missing }, () => this.startOne()));
  }

  /** Stops (SIGTERM, graceful) the newest processes until `count` run. */
  async shrink(count: number): Promise<void> {
    const extra = this.live().slice(count);
    await Promise.all(extra.map((m) => m.child.stop()));
  }

  private async startOne(): Promise<void> {
    const id = `w${this.serial++}`;
    const file = path.join(this.dir, `${id}.log`);
    const child = new NodeChild('capacity-worker', {
      redis: this.settings.redisUrl,
      prefix: this.settings.prefix,
      kubeconfig: testEnv().kubeconfig,
      concurrency: this.settings.concurrency,
      reconcileMs: this.settings.reconcileMs,
      recordFile: file,
    });
    const member: Member = { id, child, file, offset: 0, sent: { requests: 0, roundTrips: 0 } };
    child.on((m) => {
      if (m.type === 'progress')
        member.sent = { requests: m.requests as number, roundTrips: m.roundTrips as number };
    });
    this.members.push(member);
    await child.waitFor('ready', 60_000);
  }

  /** SIGKILLs the oldest live process; returns when it died (wall-clock ms) and its pid. */
  async killOldest(): Promise<{ at: number; pid: number }> {
    const m = this.live()[0];
    if (!m) throw new Error('no worker process to kill');
    const at = performance.timeOrigin + performance.now();
    m.killedAt = at;
    await stopChild(m.child.child, 0, 'SIGKILL');
    return { at, pid: m.child.pid };
  }

  /** The moment the process that recorded `run` was killed (its unfinished runs end there). */
  killedAt(run: Interval): number {
    return this.members.find((m) => m.id === run.source)?.killedAt ?? Number.POSITIVE_INFINITY;
  }

  /** Records appended since the last call, from every process that ever ran. */
  collect(): Collected {
    const intervals: Interval[] = [];
    const jobs: JobRecord[] = [];
    for (const m of this.members) {
      if (!existsSync(m.file)) continue;
      const size = statSync(m.file).size;
      if (size <= m.offset) continue;
      const buf = Buffer.alloc(size - m.offset);
      const fd = openSync(m.file, 'r');
      readSync(fd, buf, 0, buf.length, m.offset);
      closeSync(fd);
      // Only whole lines: a process killed mid-write leaves a partial one behind.
      const text = buf.toString('utf8');
      const whole = text.slice(0, text.lastIndexOf('\n') + 1);
      m.offset += Buffer.byteLength(whole);
      const r = parseRecords(whole, m.id);
      intervals.push(...r.intervals);
      jobs.push(...r.jobs);
    }
    return { intervals, jobs };
  }

  /** Requests and round trips of every process's Redis clients, summed (killed ones as last reported). */
  requests(): RedisRequestCounts {
    let requests = 0;
    let roundTrips = 0;
    for (const m of this.members) {
      requests += m.sent.requests;
      roundTrips += m.sent.roundTrips;
    }
    return { requests, roundTrips };
  }

  /** CPU seconds used so far by the processes running now, summed (for deltas while the pool is unchanged). */
  async cpuSeconds(): Promise<number> {
    const used = await Promise.all(this.live().map((m) => cpuSeconds(m.child.pid).catch(() => 0)));
    return used.reduce((a, b) => a + b, 0);
  }

  /** The pids of the live processes. */
  pids(): number[] {
    return this.live().map((m) => m.child.pid);
  }

  /** Stops every process and removes the record files. */
  async close(): Promise<void> {
    await Promise.all(this.live().map((m) => m.child.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
