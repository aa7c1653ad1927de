/**
 * @module test/stress/cli
 * `npm run stress [-- --events N --keys N --workers N]`: the full stress run; prints its counts and
 * `overlaps=0 lost=0` when the queue contract held, and exits non-zero otherwise.
 */
import { parseArgs } from 'node:util';
import { FULL, formatReport, runStress } from './stress.js';

const { values } = parseArgs({
  options: { events: { type: 'string' }, keys: { type: 'string' }, workers: { type: 'string' } },
});
const opts = {
  ...FULL,
  ...(values.events ? { events: Number(values.events) } : {}),
  ...(values.keys ? { keys: Number(values.keys) } : {}),
  ...(values.workers ? { workers: Number(values.workers) } : {}),
};
const report = await runStress(opts, (m) => console.log(`stress: ${m}`));
console.log(formatReport(report));
process.exit(report.overlaps === 0 && report.lost === 0 ? 0 : 1);
