/**
 * The reconciler contract for the Tawon Stream, on the seed StreamStore routed to the test NATS.
 */
import test from 'ava';
import { tawonStreamFunction } from '../../../functions/tawon-stream/index.js';
import { runReconcilerContract } from '../../contract/reconciler.contract.js';
import { installCrds } from '../../helpers/crds.js';
import { applyExample, ensureStorageClass, example } from '../../fixtures/tawon/fixtures.js';
import { closeHarness, finalizeAll, routeStore, streamContext } from './harness.js';

const namespaces = new Set<string>();

test.after.always(async () => {
  for (const ns of namespaces) await finalizeAll(ns).catch(() => undefined);
  await closeHarness();
});

runReconcilerContract('TawonStream', {
  fn: tawonStreamFunction,
  valid: (ns) => ({ ...example('stream'), metadata: { name: 'mystream', namespace: ns } }),
  invalid: (ns) => ({
    ...example('stream'),
    metadata: { name: 'badstream', namespace: ns },
    spec: { store: { name: 'mystreamstore' }, maxage: '6 hours' },
  }),
  invalidReason: 'InvalidLimit',
  context: (_ns, ref) => streamContext(ref),
  setup: async (ns) => {
    namespaces.add(ns);
    await installCrds();
    await ensureStorageClass('ssd-csi');
    routeStore(ns, await applyExample('streamstore', ns));
  },
});
