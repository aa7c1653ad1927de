/**
 * @module test/cli/operator-namespace
 * The operator namespace (`SLUICE_NAMESPACE`) is checked once at start: `sluice dispatcher` and
 * `sluice worker` refuse to start without it, with one line naming the variable and the fix;
 * `sluice dev` creates it (shown here through the worker host's option it sets, since a whole
 * `sluice dev` would watch every namespace beside the other tests).
 */
import test from 'ava';
import { startWorkers } from '../../runtime/worker/main.js';
import { Builtin, ConfigError, createLogger } from '../../runtime/index.js';
import { adminClient, testConfig } from '../helpers/context.js';
import { isolation, testEnv } from '../helpers/env.js';
import { RuntimeRig, installTestCrds } from '../runtime/harness.js';
import { widgetFunction } from '../runtime/widget-function.js';
import { cliEnv, runCli } from './harness.js';

test.before(async () => {
  await installTestCrds();
});

for (const command of ['worker', 'dispatcher'] as const) {
  test(`sluice ${command} refuses to start when SLUICE_NAMESPACE does not exist, in one line naming it and the fix`, async (t) => {
    const iso = isolation(`no-ns-${command}`);
    const env = cliEnv(iso.namespace, {
      SLUICE_NAMESPACE: iso.namespace,
      SLUICE_REDIS_URL: testEnv().redisUrl,
      SLUICE_QUEUE_PREFIX: iso.queuePrefix,
      SLUICE_LOG_LEVEL: 'error',
    });
    const run = await runCli(t, [command, '--http-port', '0'], env);
    t.is(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    t.is(lines.length, 1, run.stderr);
    t.regex(
      lines[0] ?? '',
      new RegExp(`operator namespace ${iso.namespace} \\(SLUICE_NAMESPACE\\) does not exist`),
    );
    t.regex(lines[0] ?? '', new RegExp(`kubectl create namespace ${iso.namespace}`));
  });
}

test('the worker host creates a missing operator namespace when asked to (sluice dev), and refuses by default', async (t) => {
  const iso = isolation('dev-ns');
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const config = testConfig({ queuePrefix: iso.queuePrefix, namespace: iso.namespace });
  const log = createLogger({ level: 'silent' });
  const refused = await t.throwsAsync(startWorkers(config, [widgetFunction(rig.probe)], { kinds: [], log }));
  t.true(refused instanceof ConfigError);
  t.is(await adminClient().get(Builtin.Namespace, undefined, iso.namespace), undefined);

  t.teardown(() =>
    adminClient()
      .delete(Builtin.Namespace, undefined, iso.namespace)
      .then(() => undefined),
  );
  const running = await startWorkers(config, [widgetFunction(rig.probe)], {
    kinds: [],
    operatorNamespace: 'create',
    log,
  });
  t.teardown(() => running.stop());
  t.truthy(await adminClient().get(Builtin.Namespace, undefined, iso.namespace));
});
