/**
 * A smaller run of the stress test (`npm run stress` runs the full one): several worker processes,
 * random failures and requeues, a SIGKILLed worker and a Redis restarted empty, and not one
 * overlap or lost update.
 */
import test from 'ava';
import { FULL, formatReport, runStress } from './stress.js';

test('under random failures, a killed worker and a Redis restart, no reconcile overlaps and no update is lost', async (t) => {
  t.timeout(240_000);
  const report = await runStress({ ...FULL, events: 3000, kills: 1, redisRestarts: 1 }, (m) => t.log(m));
  t.log(formatReport(report));
  t.is(report.overlaps, 0);
  t.is(report.lost, 0);
  t.true(report.reconciles > report.keys);
});
