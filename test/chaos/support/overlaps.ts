/**
 * @module test/chaos/support/overlaps
 * Counts reconciles of one object that ran at the same time, from the `begin` and `end` markers
 * the worker processes log (see `cs-worker.ts`). A reconcile in a process that was killed or
 * paused on purpose has no trustworthy end and is left out: a lease, not a fence, guards those
 * (their writes are fenced by resourceVersion instead, which other tests check).
 */

/** The part of a marker the count needs. */
export interface ReconcileMarker {
  readonly chaos: string;
  readonly pid: number;
  readonly at: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

interface Interval {
  readonly pid: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Pairs each `begin` with the next `end` of the same key in the same process, and counts pairs of
 * intervals of one key that intersect. A `begin` without an `end` lasts until now.
 */
export function countOverlaps(
  markers: readonly ReconcileMarker[],
  excluded: ReadonlySet<number>,
  now: number = Date.now(),
): number {
  const open = new Map<string, number[]>();
  const byKey = new Map<string, Interval[]>();
  const sorted = [...markers].sort((a, b) => a.at - b.at);
  for (const m of sorted) {
    if (excluded.has(m.pid)) continue;
    const key = m.fields.key;
    if (typeof key !== 'string') continue;
    const slot = `${m.pid}|${key}`;
    if (m.chaos === 'begin') {
      open.set(slot, [...(open.get(slot) ?? []), m.at]);
    } else if (m.chaos === 'end') {
      const starts = open.get(slot) ?? [];
      const start = starts.shift();
      if (start === undefined) continue;
      byKey.set(key, [...(byKey.get(key) ?? []), { pid: m.pid, start, end: m.at }]);
    }
  }
  for (const [slot, starts] of open) {
    const [pid, key] = [Number(slot.split('|')[0]), slot.slice(slot.indexOf('|') + 1)];
    for (const start of starts) byKey.set(key, [...(byKey.get(key) ?? []), { pid, start, end: now }]);
  }
  let overlaps = 0;
  for (const intervals of byKey.values()) {
    const list = [...intervals].sort((a, b) => a.start - b.start);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i];
        const b = list[j];
        if (a && b && b.start < a.end) overlaps++;
      }
    }
  }
  return overlaps;
}
