/**
 * Deleting a Tawon Stream: its JetStream stream goes with it, and the finalizer never wedges —
 * a store that is gone, a server unreachable for good, or the force annotation each let the
 * deletion finish with a Warning Event.
 */
import test from 'ava';
import { createServer } from 'node:net';
import { reconcileObject } from '../../../runtime/worker/reconcile-object.js';
import { FORCE_DELETE_ANNOTATION, GIVE_UP_AFTER_MS } from '../../../functions/tawon-stream/finalize.js';
import { STREAM_FINALIZER } from '../../../functions/tawon-stream/watch.js';
import { tawonStreamFunction } from '../../../functions/tawon-stream/index.js';
import { findCondition, type KubeObject } from '../../../runtime/index.js';
import { BrokerUnavailableError, StreamStoreKind, TawonStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { applyExample, reconcileUntil, refIn } from '../../fixtures/tawon/fixtures.js';
import {
  closeHarness,
  routeStore,
  serverStream,
  streamContext,
  streamNamespace,
  verifierJsm,
} from './harness.js';

const fn = tawonStreamFunction;

test.after.always(closeHarness);

const ready = (o: KubeObject): boolean => findCondition(o.status, 'Ready')?.status === 'True';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 1;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('deleting a Stream deletes its JetStream stream, then the object', async (t) => {
  const namespace = await streamNamespace(t, 'delete');
  const name = await applyExample('stream', namespace);
  const ref = refIn(fn, namespace, name);
  const ctx = streamContext(ref);
  const obj = await reconcileUntil(fn, ref, ctx, 'ready', ready);
  t.true((obj.metadata.finalizers ?? []).includes(STREAM_FINALIZER));
  t.truthy(await serverStream(`${namespace}_mystream`));

  const kube = adminClient();
  await kube.delete(TawonStreamKind, namespace, name);
  t.truthy(await kube.get(TawonStreamKind, namespace, name), 'the finalizer holds the object');
  t.deepEqual(await reconcileObject(fn, ref, ctx), { kind: 'finalized' });
  t.is(await serverStream(`${namespace}_mystream`), undefined, 'the JetStream stream is gone');
  t.is(await kube.get(TawonStreamKind, namespace, name), undefined, 'the object is gone');
  t.true(ctx.recorded.some((e) => e.reason === 'Deleted'));
});

test('a Stream whose store is gone finishes deleting with a Warning', async (t) => {
  const namespace = await streamNamespace(t, 'storegone');
  const name = await applyExample('stream', namespace);
  const ref = refIn(fn, namespace, name);
  const ctx = streamContext(ref);
  await reconcileUntil(fn, ref, ctx, 'ready', ready);
  const kube = adminClient();
  await kube.delete(StreamStoreKind, namespace, 'mystreamstore');
  await kube.delete(TawonStreamKind, namespace, name);
  t.deepEqual(await reconcileObject(fn, ref, ctx), { kind: 'finalized' });
  t.is(await kube.get(TawonStreamKind, namespace, name), undefined);
  const warning = ctx.recorded.find((e) => e.reason === 'StoreGone');
  t.is(warning?.type, 'Warning');
  // In a cluster the stream's data went with the store; here the shared test NATS stood in for it.
  await (await verifierJsm()).streams.delete(`${namespace}_mystream`);
});

test('a Stream whose store stays unreachable finishes deleting after the grace period, with a Warning', async (t) => {
  const namespace = await streamNamespace(t, 'unreachable');
  routeStore(namespace, 'mystreamstore', `127.0.0.1:${await closedPort()}`);
  const name = await applyExample('stream', namespace);
  const ref = refIn(fn, namespace, name);
  const kube = adminClient();

  const err = await t.throwsAsync(reconcileObject(fn, ref, streamContext(ref)));
  t.true(err instanceof BrokerUnavailableError, `got ${String(err)}`);
  const obj = await kube.get(TawonStreamKind, namespace, name);
  t.is(findCondition(obj?.status, 'Ready')?.reason, 'BrokerUnavailable');
  t.true((obj?.metadata.finalizers ?? []).includes(STREAM_FINALIZER));

  await kube.delete(TawonStreamKind, namespace, name);
  await t.throwsAsync(reconcileObject(fn, ref, streamContext(ref)), { instanceOf: BrokerUnavailableError });
  t.truthy(await kube.get(TawonStreamKind, namespace, name), 'within the grace period the deletion waits');

  const later = streamContext(ref, { now: () => new Date(Date.now() + GIVE_UP_AFTER_MS + 60_000) });
  t.deepEqual(await reconcileObject(fn, ref, later), { kind: 'finalized' });
  t.is(await kube.get(TawonStreamKind, namespace, name), undefined);
  const warning = later.recorded.find((e) => e.reason === 'CleanupAbandoned');
  t.is(warning?.type, 'Warning');
});

test('the force-delete annotation lets a Stream on an unreachable store finish deleting at once', async (t) => {
  const namespace = await streamNamespace(t, 'force');
  routeStore(namespace, 'mystreamstore', `127.0.0.1:${await closedPort()}`);
  const name = await applyExample('stream', namespace);
  const ref = refIn(fn, namespace, name);
  const kube = adminClient();
  await t.throwsAsync(reconcileObject(fn, ref, streamContext(ref)));
  await kube.patch(TawonStreamKind, namespace, name, {
    metadata: { annotations: { [FORCE_DELETE_ANNOTATION]: 'true' } },
  });
  await kube.delete(TawonStreamKind, namespace, name);
  const ctx = streamContext(ref);
  t.deepEqual(await reconcileObject(fn, ref, ctx), { kind: 'finalized' });
  t.is(await kube.get(TawonStreamKind, namespace, name), undefined);
  t.is(ctx.recorded.find((e) => e.reason === 'ForceDeleted')?.type, 'Warning');
});
