/**
 * @module test/chaos/cli
 * `node dist/test/chaos/cli.js [run-file]`: prints the table of the last chaos run (or of the
 * run file given), as `npm run chaos` printed it at the end; exits non-zero when a row lost an
 * object, saw an overlap or found a leaked secret. The run itself is `npm run chaos` (full) or
 * the chaos part of `npm test` (small).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../env/paths.js';
import { formatTable, readRun } from './report.js';

const dir = path.join(stateDir, 'chaos');
const latest = (): string | undefined =>
  readdirSync(dir)
    .filter((f) => /^run-\d+\.jsonl$/.test(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];

const file = process.argv[2] ?? latest();
if (!file) {
  console.error('no chaos run yet: run `npm run chaos`');
  process.exit(2);
}
const rows = readRun(file).flatMap((l) => (l.row ? [l.row] : []));
console.log(`${path.relative(process.cwd(), file)}\n${formatTable(rows)}`);
const bad = rows.some((r) => r.lost > 0 || r.overlaps > 0 || r.leaks > 0 || r.converged !== r.objects);
process.exit(bad ? 1 : 0);
