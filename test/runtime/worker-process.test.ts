/**
 * The worker process's composition root: `startWorkers` serves its probes and metrics, and drains
 * on stop.
 */
import test from 'ava';
import { startWorkers } from '../../runtime/worker/main.js';
import { testConfig } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { RuntimeRig, installTestCrds } from './harness.js';
import { widgetFunction } from './widget-function.js';

test.before(async () => {
  await installTestCrds();
});

test('a worker process serves /healthz, /readyz and its reconcile metrics', async (t) => {
  const iso = isolation('worker-probes');
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const running = await startWorkers(
    testConfig({ queuePrefix: iso.queuePrefix }),
    [widgetFunction(rig.probe)],
    { kinds: [], httpPort: 0 },
  );
  t.teardown(() => running.stop());
  const base = `http://127.0.0.1:${running.httpPort ?? 0}`;
  t.is((await fetch(`${base}/healthz`)).status, 200);
  const ready = await fetch(`${base}/readyz`);
  t.is(ready.status, 200);
  t.like(await ready.json(), { ready: true, redis: true });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.true(metrics.includes('sluice_reconcile_duration_seconds'));
  t.is((await fetch(`${base}/api/v1/reconcile`, { method: 'POST' })).status, 405);
});
