/**
 * One owner per JetStream stream for Tawon Streams, on the real API server and nats-server
 * (issue 18): the claim is shared with NATS ClusterStreams on the store's server, so neither kind
 * can take the other's stream; a stream made before its Stream is adopted and kept on deletion;
 * read-only reports drift and changes nothing; unmanaged lets go and drops the finalizer.
 */
import test, { type ExecutionContext } from 'ava';
import { nanos } from 'nats';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { reconcileObject } from '../../../runtime/worker/reconcile-object.js';
import { tawonStreamFunction } from '../../../functions/tawon-stream/index.js';
import { findCondition, isRecord, type KubeObject } from '../../../runtime/index.js';
import { ClusterStreamKind, TawonStreamKind } from '../../../shared/index.js';
import { adminClient, testContext } from '../../helpers/context.js';
import { reconcileUntil, refIn } from '../../fixtures/tawon/fixtures.js';
import {
  claimFor,
  cleanupClusterStream,
  clusterStream,
  csName,
  csRef,
} from '../../fixtures/tanzu/fixtures.js';
import {
  brokers,
  closeHarness,
  serverStream,
  streamContext,
  streamNamespace,
  verifierJsm,
} from './harness.js';

const fn = tawonStreamFunction;
const STORE = 'mystreamstore';

test.after.always(closeHarness);

function condition(
  obj: KubeObject | undefined,
  type: string,
): { status?: string; reason?: string; message?: string } {
  return findCondition(obj?.status, type) ?? {};
}

const getStream = (namespace: string, name: string): Promise<KubeObject | undefined> =>
  adminClient().get(TawonStreamKind, namespace, name);

async function createStream(
  namespace: string,
  name: string,
  annotations?: Record<string, string>,
): Promise<void> {
  await adminClient().create(TawonStreamKind, {
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec: { store: { name: STORE }, maxmsgs: 100 },
  });
}

/** A NATS ClusterStream on the store's own server (reached through the harness's overrides). */
async function storeClusterStream(
  t: ExecutionContext,
  namespace: string,
  subject: string,
): Promise<{ name: string; reconcile: () => Promise<unknown> }> {
  const name = csName('on-store');
  cleanupClusterStream(t, name);
  await adminClient().create(
    ClusterStreamKind,
    clusterStream({ name, topic: subject, protocol: 'nats', url: `nats://${STORE}.${namespace}.svc:4222` }),
  );
  const ctx = testContext(ClusterStreamKind, {
    about: csRef(name),
    brokers: brokers(),
    config: { namespace },
  });
  return {
    name,
    reconcile: () => reconcileObject(clusterStreamFunction, csRef(name), ctx).catch((e: unknown) => e),
  };
}

test("a NATS ClusterStream on the store's server cannot take a Tawon Stream's JetStream stream, nor the other way round", async (t) => {
  const namespace = await streamNamespace(t, 'own-cross');
  await createStream(namespace, 'owned');
  const ref = refIn(fn, namespace, 'owned');
  await reconcileUntil(fn, ref, streamContext(ref), 'ready', (o) => condition(o, 'Ready').status === 'True');
  const jetstream = `${namespace}_owned`;

  // A ClusterStream whose subject makes the same JetStream stream name.
  const cs = await storeClusterStream(t, namespace, jetstream);
  await cs.reconcile();
  const lost = await adminClient().get(ClusterStreamKind, undefined, cs.name);
  t.like(condition(lost, 'Ready'), { status: 'False', reason: 'ResourceConflict' });
  t.regex(
    condition(lost, 'Ready').message ?? '',
    new RegExp(`Stream\\.tawon\\.mantisnet\\.com ${namespace}/owned`),
  );
  t.deepEqual(
    (await serverStream(jetstream))?.config.subjects,
    [`tawon.${namespace}.owned`],
    'the subject is untouched',
  );

  // The other way round: a ClusterStream that owns a stream first keeps it from a Tawon Stream.
  const first = await storeClusterStream(t, namespace, `${namespace}_later`);
  await first.reconcile();
  t.like(condition(await adminClient().get(ClusterStreamKind, undefined, first.name), 'Ready'), {
    status: 'True',
  });
  await createStream(namespace, 'later');
  const laterRef = refIn(fn, namespace, 'later');
  await reconcileObject(fn, laterRef, streamContext(laterRef));
  const later = await getStream(namespace, 'later');
  t.like(condition(later, 'Ready'), { status: 'False', reason: 'ResourceConflict' });
  t.regex(condition(later, 'Ready').message ?? '', new RegExp(`owned by ClusterStream ${first.name}`));
  t.deepEqual((await serverStream(`${namespace}_later`))?.config.subjects, [`${namespace}_later`]);
  t.like(isRecord(later?.status) ? later.status.claim : undefined, { owner: false });
});

test('a JetStream stream made before its Stream is adopted, and kept when the Stream is deleted', async (t) => {
  const namespace = await streamNamespace(t, 'own-adopt');
  const jsm = await verifierJsm();
  const jetstream = `${namespace}_legacy`;
  await jsm.streams.add({ name: jetstream, subjects: [`tawon.${namespace}.legacy`], max_msgs: 5 });
  t.teardown(() =>
    jsm.streams.delete(jetstream).then(
      () => undefined,
      () => undefined,
    ),
  );
  await createStream(namespace, 'legacy');
  const ref = refIn(fn, namespace, 'legacy');
  const ctx = streamContext(ref);
  await reconcileUntil(fn, ref, ctx, 'ready', (o) => condition(o, 'Ready').status === 'True');
  t.truthy(ctx.recorded.find((e) => e.reason === 'Adopted'));
  t.true((await claimFor(jetstream))?.spec.adopted);
  t.is((await serverStream(jetstream))?.config.max_msgs, 100, 'adopted and brought to the spec');

  await adminClient().delete(TawonStreamKind, namespace, 'legacy');
  const outcome = await reconcileObject(fn, ref, ctx);
  t.is(outcome.kind, 'finalized');
  t.truthy(await serverStream(jetstream), 'an adopted stream is kept');
  t.regex(
    ctx.recorded.find((e) => e.reason === 'StreamKept')?.message ?? '',
    /existed before this object adopted it/,
  );
  t.is(await claimFor(jetstream), undefined, 'the claim is released');
});

test('read-only reports drift and changes nothing; unmanaged lets go, drops the finalizer, and its deletion keeps the stream', async (t) => {
  const namespace = await streamNamespace(t, 'own-modes');
  await createStream(namespace, 'modes');
  const ref = refIn(fn, namespace, 'modes');
  const ctx = streamContext(ref);
  await reconcileUntil(fn, ref, ctx, 'ready', (o) => condition(o, 'Ready').status === 'True');
  const jetstream = `${namespace}_modes`;
  t.like(condition(await getStream(namespace, 'modes'), 'Managed'), { status: 'True', reason: 'Managed' });

  await adminClient().patch(TawonStreamKind, namespace, 'modes', {
    metadata: { annotations: { 'sluice.io/management': 'read-only' } },
  });
  const jsm = await verifierJsm();
  await jsm.streams.update(jetstream, { max_msgs: 7, max_age: nanos(3600_000) });
  await reconcileObject(fn, ref, ctx);
  t.is((await serverStream(jetstream))?.config.max_msgs, 7, 'nothing put back');
  const ro = await getStream(namespace, 'modes');
  t.like(condition(ro, 'Managed'), { status: 'False', reason: 'ReadOnly' });
  t.regex(condition(ro, 'Managed').message ?? '', /max_msgs 7 → 100/);
  t.regex(ctx.recorded.find((e) => e.reason === 'DriftDetected')?.message ?? '', /max_msgs 7 → 100/);

  await adminClient().patch(TawonStreamKind, namespace, 'modes', {
    metadata: { annotations: { 'sluice.io/management': 'unmanaged' } },
  });
  await reconcileObject(fn, ref, ctx);
  const released = await getStream(namespace, 'modes');
  t.deepEqual(released?.metadata.finalizers ?? [], []);
  t.like(condition(released, 'Managed'), { status: 'False', reason: 'Unmanaged' });
  t.like(condition(released, 'Ready'), { status: 'True', reason: 'Unmanaged' });
  t.is(await claimFor(jetstream), undefined, 'the claim is released');
  await adminClient().delete(TawonStreamKind, namespace, 'modes');
  t.is(await getStream(namespace, 'modes'), undefined, 'deleted at once: no finalizer');
  t.truthy(await serverStream(jetstream), 'and the stream stays');
  await jsm.streams.delete(jetstream).catch(() => undefined);
});
