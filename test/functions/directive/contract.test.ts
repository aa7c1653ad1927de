/**
 * The reconciler contract for the Directive, on the seed StreamStore.
 */
import test from 'ava';
import { directiveFunction } from '../../../functions/directive/index.js';
import { DirectiveKind, TawonStreamKind } from '../../../shared/index.js';
import { runReconcilerContract } from '../../contract/reconciler.contract.js';
import { testContext } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { applyExample, ensureStorageClass, example } from '../../fixtures/tawon/fixtures.js';
import { closeHarness, finalizeAll, routeStore } from '../tawon-stream/harness.js';

const namespaces = new Set<string>();

test.after.always(async () => {
  for (const ns of namespaces) await finalizeAll(ns).catch(() => undefined);
  await closeHarness();
});

runReconcilerContract('Directive', {
  fn: directiveFunction,
  valid: (ns) => ({ ...example('directive'), metadata: { name: 'capture-coredns', namespace: ns } }),
  invalid: (ns) => ({
    ...example('directive'),
    metadata: { name: 'bad-directive', namespace: ns },
    spec: { streams: [{ name: 'coredns', store: 'mystreamstore', maxage: 'six hours' }] },
  }),
  invalidReason: 'InvalidLimit',
  context: (_ns, ref) => testContext(DirectiveKind, { about: ref }),
  children: [TawonStreamKind],
  setup: async (ns) => {
    namespaces.add(ns);
    await installCrds();
    await ensureStorageClass('ssd-csi');
    routeStore(ns, await applyExample('streamstore', ns));
  },
});
