/**
 * The overlap count of the chaos report (pure): reconciles of one key that intersect in time are
 * counted once per pair; back-to-back ones, other keys, and processes killed or paused on purpose
 * are not.
 */
import test from 'ava';
import { countOverlaps, type ReconcileMarker } from './support/overlaps.js';
import { formatTable } from './report.js';

const m = (chaos: 'begin' | 'end', pid: number, at: number, key = 'k'): ReconcileMarker => ({
  chaos,
  pid,
  at,
  fields: { key },
});

test('reconciles of one key in two processes that intersect are one overlap', (t) => {
  t.is(countOverlaps([m('begin', 1, 0), m('begin', 2, 5), m('end', 1, 10), m('end', 2, 20)], new Set()), 1);
});

test('back-to-back reconciles, and reconciles of different keys, do not overlap', (t) => {
  const markers = [
    m('begin', 1, 0),
    m('end', 1, 10),
    m('begin', 2, 10),
    m('end', 2, 20),
    m('begin', 3, 0, 'other'),
    m('end', 3, 30, 'other'),
  ];
  t.is(countOverlaps(markers, new Set()), 0);
});

test('an unfinished reconcile lasts until now, unless its process was killed on purpose', (t) => {
  const markers = [m('begin', 1, 0), m('begin', 2, 50), m('end', 2, 60)];
  t.is(countOverlaps(markers, new Set(), 100), 1);
  t.is(countOverlaps(markers, new Set([1]), 100), 0);
});

test('the table ends with the totals line', (t) => {
  const table = formatTable([
    { fault: 'f', injected: 1, objects: 2, converged: 2, lost: 0, overlaps: 0, leaks: 0, seconds: 1 },
    { fault: 'g', injected: 1, objects: 2, converged: 1, lost: 1, overlaps: 0, leaks: 2, seconds: 1 },
  ]);
  t.regex(table, /lost=1 overlaps=0 leaks=2$/);
  t.regex(table, /FAILED/);
});
