/**
 * @module bench/lib/capacity-records
 * What the capacity benchmark's worker processes record, one line per fact, appended to a file
 * per process with a synchronous write (so a line written before a SIGKILL survives it):
 *
 * - `A <key> <enqueuedAt> <t>`: the worker host took the job (BullMQ's `active`); `t − enqueuedAt`
 *   is the queue wait the host's `sluice_queue_wait_seconds` observes;
 * - `C <key> <t>` / `F <key> <t>`: the job completed / failed (the host's whole job: read of the
 *   object, reconcile, outcome mapping);
 * - `S <key> <generation> <t>` / `E <key> <generation> <t>`: the reconciler started / ended (after
 *   its status write), inside the job's lease.
 *
 * Times are wall-clock milliseconds (`performance.timeOrigin + performance.now()`), comparable
 * across the processes of one machine. Pure parsing and checks; the files are read by the driver.
 */

/** A reconciler run of one key, `end` undefined while it runs (or when its process was killed). */
export interface Interval {
  readonly key: string;
  readonly generation: number;
  readonly start: number;
  readonly end: number | undefined;
  /** The worker process (its file) that ran it. */
  readonly source: string;
}

/** A job's queue wait and duration as the worker host saw them. */
export interface JobRecord {
  readonly key: string;
  readonly enqueuedAt: number;
  readonly activeAt: number;
  readonly endedAt: number | undefined;
  readonly failed: boolean;
}

/** The facts of one process's file, parsed. */
export interface ProcessRecords {
  readonly intervals: Interval[];
  readonly jobs: JobRecord[];
}

/** Formats one record line (the worker side). */
export function recordLine(type: 'A' | 'C' | 'F' | 'S' | 'E', key: string, ...values: number[]): string {
  return `${type} ${key} ${values.map((v) => Math.round(v * 1000) / 1000).join(' ')}\n`;
}

/**
 * Parses a process's file. A job or run still open at the end stays open (`undefined` end). A
 * truncated last line (the process was killed while writing) is ignored.
 */
export function parseRecords(text: string, source: string): ProcessRecords {
  const intervals: Interval[] = [];
  const jobs: JobRecord[] = [];
  const openRuns = new Map<string, number>();
  const openJobs = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [type, key, a, b] = line.split(' ');
    if (!type || !key || a === undefined) continue;
    const x = Number(a);
    const y = b === undefined ? Number.NaN : Number(b);
    if (type === 'A' && Number.isFinite(y)) {
      openJobs.set(key, jobs.length);
      jobs.push({ key, enqueuedAt: x, activeAt: y, endedAt: undefined, failed: false });
    } else if ((type === 'C' || type === 'F') && Number.isFinite(x)) {
      const at = openJobs.get(key);
      const job = at === undefined ? undefined : jobs[at];
      if (at !== undefined && job) jobs[at] = { ...job, endedAt: x, failed: type === 'F' };
      openJobs.delete(key);
    } else if (type === 'S' && Number.isFinite(y)) {
      openRuns.set(key, intervals.length);
      intervals.push({ key, generation: x, start: y, end: undefined, source });
    } else if (type === 'E' && Number.isFinite(y)) {
      const at = openRuns.get(key);
      const run = at === undefined ? undefined : intervals[at];
      if (at !== undefined && run) intervals[at] = { ...run, end: y };
      openRuns.delete(key);
    }
  }
  return { intervals, jobs };
}

/** An overlap: two runs of one key, from any processes, that were running at the same time. */
export interface Overlap {
  readonly key: string;
  readonly first: Interval;
  readonly second: Interval;
}

/**
 * Every pair of runs of one key whose intervals intersect. A run with no end counts as running
 * until `openUntil(run)` (the moment its process was killed; by default forever), so a
 * process killed mid-reconcile still counts against a run that another process started before
 * the kill. Runs that only touch (one ends at the very millisecond the next starts) do not overlap.
 */
export function overlaps(
  intervals: readonly Interval[],
  openUntil: (run: Interval) => number = () => Number.POSITIVE_INFINITY,
): Overlap[] {
  const byKey = new Map<string, Interval[]>();
  for (const i of intervals) {
    const list = byKey.get(i.key);
    if (list) list.push(i);
    else byKey.set(i.key, [i]);
  }
  const out: Overlap[] = [];
  for (const [key, runs] of byKey) {
    runs.sort((a, b) => a.start - b.start);
    // The run with the latest end so far: any later start before that end overlaps it.
    let latest: Interval | undefined;
    let latestEnd = Number.NEGATIVE_INFINITY;
    for (const run of runs) {
      if (latest && run.start < latestEnd) out.push({ key, first: latest, second: run });
      const end = run.end ?? openUntil(run);
      if (end > latestEnd) {
        latest = run;
        latestEnd = end;
      }
    }
  }
  return out;
}

/** Counts of `times` per `bucketMs` window from `from` to `to` (e.g. completions per second). */
export function perWindow(times: readonly number[], from: number, to: number, bucketMs: number): number[] {
  const n = Math.max(0, Math.ceil((to - from) / bucketMs));
  const out = new Array<number>(n).fill(0);
  for (const t of times) {
    if (t < from || t >= to) continue;
    const i = Math.floor((t - from) / bucketMs);
    out[i] = (out[i] ?? 0) + 1;
  }
  return out;
}

/** A change the driver made: the object's key, the generation it produced, when it was sent. */
export interface Change {
  readonly key: string;
  readonly generation: number;
  readonly at: number;
}

/**
 * For each change, the time from sending it to the start of the first run of its key that read
 * that generation or a later one (a coalesced change counts as seen by the run that covered it).
 * `missed` counts changes no run has covered.
 */
export function changeLatencies(
  changes: readonly Change[],
  intervals: readonly Interval[],
): { latencies: number[]; missed: number } {
  const byKey = new Map<string, Interval[]>();
  for (const i of intervals) {
    const list = byKey.get(i.key);
    if (list) list.push(i);
    else byKey.set(i.key, [i]);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.start - b.start);
  const latencies: number[] = [];
  let missed = 0;
  for (const c of changes) {
    const run = byKey.get(c.key)?.find((r) => r.generation >= c.generation);
    if (run) latencies.push(Math.max(0, run.start - c.at));
    else missed++;
  }
  return { latencies, missed };
}
