/**
 * @module test/chaos/report
 * The table `npm run chaos` prints: one row per fault scenario (what was injected, how many
 * objects were checked, how many converged), and the totals line
 * `lost=<n> overlaps=<n> leaks=<n>` at the end.
 *
 * ava runs each chaos file in its own process, one after another, in an order of its choosing.
 * So every row is appended at once to a run file shared by the files of one ava run (named after
 * ava's pid, the parent of every file's process), and each reporting file, when it ends, prints
 * the table so far; the file that completes the set prints the final table and the totals line.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateDir } from '../env/paths.js';

/** Whether this is the full run (`npm run chaos`), rather than the small one of `npm test`. */
export const FULL: boolean = process.argv.includes('--full');

/** One fault scenario and what it found. */
export interface ChaosRow {
  /** The fault, as a short phrase ("worker SIGKILLed after creating a topic"). */
  readonly fault: string;
  /** How many times it was injected. */
  readonly injected: number;
  /** Objects checked afterwards. */
  readonly objects: number;
  /** Objects that reached the expected state. */
  readonly converged: number;
  /** Objects that did not (their last change was never reconciled). */
  readonly lost: number;
  /** Reconciles of one object that ran at once (processes that were killed or paused excepted). */
  readonly overlaps: number;
  /** Test secrets found in logs, Events, statuses or job payloads. */
  readonly leaks: number;
  readonly seconds: number;
  /** A detail worth a glance (a takeover time, a count of attempts). */
  readonly note?: string;
}

interface RunLine {
  readonly file: string;
  readonly row?: ChaosRow;
  readonly done?: boolean;
}

const reportDir = path.join(stateDir, 'chaos');
const here = path.dirname(fileURLToPath(import.meta.url));

/** The run file of this ava run. */
export function runFile(pid: number = process.ppid): string {
  return path.join(reportDir, `run-${pid}.jsonl`);
}

function fileId(url: string): string {
  return path.relative(here, fileURLToPath(url));
}

/** Appends a row for the test file at `fileUrl` (its `import.meta.url`). */
export function recordRow(fileUrl: string, row: ChaosRow): void {
  mkdirSync(reportDir, { recursive: true });
  const line: RunLine = { file: fileId(fileUrl), row };
  appendFileSync(runFile(), `${JSON.stringify(line)}\n`);
}

/** The compiled chaos test files that report rows (they call {@link finishChaosFile}). */
export function reportingFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.test.js') && readFileSync(full, 'utf8').includes('finishChaosFile('))
        out.push(path.relative(here, full));
    }
  };
  walk(here);
  return out.sort();
}

/** The lines of a run file. */
export function readRun(file: string = runFile()): RunLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunLine);
}

/** Keeps the 20 newest run files. */
function pruneRuns(): void {
  const runs = readdirSync(reportDir)
    .filter((f) => /^run-\d+\.jsonl$/.test(f))
    .map((f) => path.join(reportDir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of runs.slice(20)) if (old !== runFile()) rmSync(old, { force: true });
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The table of rows, with the totals line last. */
export function formatTable(rows: readonly ChaosRow[]): string {
  const header = ['fault injected', 'times', 'objects', 'converged', 'lost', 'overlaps', 'leaks', 'result'];
  const body = rows.map((r) => [
    r.fault + (r.note ? ` (${r.note})` : ''),
    String(r.injected),
    String(r.objects),
    String(r.converged),
    String(r.lost),
    String(r.overlaps),
    String(r.leaks),
    r.lost === 0 && r.overlaps === 0 && r.leaks === 0 && r.converged === r.objects ? 'ok' : 'FAILED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => pad(c, widths[i] ?? 0)).join('  ');
  const total = (k: 'lost' | 'overlaps' | 'leaks'): number => rows.reduce((a, r) => a + r[k], 0);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    `faults=${rows.reduce((a, r) => a + r.injected, 0)} objects=${rows.reduce((a, r) => a + r.objects, 0)} ` +
      `seconds=${rows.reduce((a, r) => a + r.seconds, 0).toFixed(0)}`,
    `lost=${total('lost')} overlaps=${total('overlaps')} leaks=${total('leaks')}`,
  ].join('\n');
}

/**
 * Marks the test file at `fileUrl` as finished (call from `test.after.always`) and prints the
 * table so far; the last reporting file of the run prints the complete one.
 */
export function finishChaosFile(fileUrl: string): void {
  mkdirSync(reportDir, { recursive: true });
  pruneRuns();
  appendFileSync(runFile(), `${JSON.stringify({ file: fileId(fileUrl), done: true })}\n`);
  const lines = readRun();
  const done = new Set(lines.filter((l) => l.done).map((l) => l.file));
  const expected = reportingFiles();
  const rows = lines.flatMap((l) => (l.row ? [l.row] : []));
  const complete = expected.every((f) => done.has(f));
  const title = complete
    ? `chaos report (${FULL ? 'full' : 'small'} run, ${expected.length} files)`
    : `chaos report so far (${done.size} of ${expected.length} files)`;
  console.log(`\n${title}\n${formatTable(rows)}\n`);
}
