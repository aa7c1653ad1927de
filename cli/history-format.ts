/**
 * @module cli/history-format
 * How `sluice history` prints an object's report: a heading, its conditions and its queue state,
 * then its reconciles, newest first (`-o wide` adds the worker, trace and what the reconcile
 * saw; `-o json` prints the report as the HTTP API answers it).
 */
import type { HistoryRecord, ObjectReport, QueueState } from '../runtime/index.js';

export type HistoryFormat = 'table' | 'wide' | 'json';

const time = (ms: number | undefined): string =>
  ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One line on where the object stands in its queue. */
export function queueText(q: QueueState): string {
  const parts: string[] = [q.state === 'none' ? 'idle (no job)' : q.state];
  if (q.jobId) parts.push(`job ${q.jobId}`);
  if (q.lowPriority) parts.push('low priority');
  if (q.level !== undefined) parts.push(`fairness level ${q.level}`);
  if (q.state === 'delayed') {
    parts.push(`due ${time(q.dueAt)}`);
    if (q.delayedFor === 'backoff') parts.push(`backoff ${q.delayMs ?? 0} ms`);
    if (q.delayedFor === 'requeueAfter') parts.push(`requeueAfter ${q.delayMs ?? 0} ms`);
  }
  if (q.failures) parts.push(`${q.failures} failure(s) since the last success`);
  if (q.followUp) parts.push('runs again after the current run');
  return parts.join(', ');
}

function outcome(r: HistoryRecord): string {
  switch (r.outcome) {
    case 'requeueAfter':
      return `requeueAfter ${r.delayMs ?? 0}ms`;
    case 'error':
      return `error #${r.attempt ?? '?'}`;
    case 'success':
      return r.path ? `success (${r.path})` : 'success';
    default:
      return r.outcome;
  }
}

const short = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Pads columns of `rows` (the first row is the heading). */
function columns(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The report as text (`table` or `wide`) or JSON. */
export function formatReport(report: ObjectReport, format: HistoryFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format !== 'table' && format !== 'wide')
    throw new Error(`unknown output format ${String(format)}: use wide or json`);
  const name = `${report.namespace ? `${report.namespace}/` : ''}${report.name}`;
  const lines: string[] = [];
  lines.push(`${report.kind} ${name} (${report.apiVersion})${report.paused ? '  PAUSED' : ''}`);
  lines.push(
    report.exists
      ? `generation ${report.generation ?? '-'}, observed ${report.observedGeneration ?? '-'}, resourceVersion ${report.resourceVersion ?? '-'}`
      : 'the object no longer exists',
  );
  lines.push(`queue: ${queueText(report.queue)}`);
  lines.push('');
  if (report.conditions.length === 0) lines.push('conditions: none');
  else
    lines.push(
      columns([
        ['CONDITION', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'],
        ...report.conditions.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime ?? '-', c.message]),
      ]),
    );
  lines.push('');
  if (report.history.length === 0) {
    lines.push('history: no reconcile recorded');
    return `${lines.join('\n')}\n`;
  }
  const wide = format === 'wide';
  const head = ['FINISHED', 'WHY', 'OUTCOME', 'WAITED', 'TOOK', 'ERROR'];
  if (wide) head.push('GEN', 'RV', 'WORKER', 'JOB', 'TRACE');
  const rows = report.history.map((r) => {
    const row = [
      time(r.finishedAt),
      r.by ? `${r.reason} (${r.by})` : r.reason,
      outcome(r),
      `${r.startedAt - r.enqueuedAt}ms`,
      `${r.finishedAt - r.startedAt}ms`,
      short(r.errorReason ? `${r.errorReason}: ${r.error ?? ''}` : '', wide ? Infinity : 80),
    ];
    if (wide)
      row.push(String(r.generation ?? '-'), r.resourceVersion ?? '-', r.worker, r.jobId, r.traceId ?? '-');
    return row;
  });
  lines.push(columns([head, ...rows]));
  return `${lines.join('\n')}\n`;
}
