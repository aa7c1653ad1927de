/**
 * A Stream on NATS JetStream, end to end on the real servers: it provisions its ClusterStream,
 * binds, and publishes a binding Secret that a client configured only from its entries uses to
 * publish and consume.
 */
import test from 'ava';
import { StringCodec, connect } from 'nats';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { TanzuStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, uniqueName } from '../../helpers/env.js';
import {
  attempt,
  cleanupClusterStream,
  closeBrokers,
  converge,
  csContext,
  csRef,
  getCs,
  natsConnection,
  natsPrefix,
  prepareTwo,
  readyReason,
  secretEntries,
  statusOf,
  stream,
  streamContext,
  streamRef,
  versionsOf,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };

test('a NATS Stream provisions its ClusterStream, binds, and its Secret alone reaches the JetStream stream', async (t) => {
  const iso = isolation('st-nats');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const subject = `${iso.topicPrefix}payments`;
  const name = uniqueName('payments');
  await adminClient().create(
    TanzuStreamKind,
    stream(app, name, {
      name: subject,
      protocol: 'nats',
      streamMode: ['read', 'write'],
      keyExpression: 'payload.id',
    }),
  );
  const csName = `${name}-cluster-stream`;
  cleanupClusterStream(t, csName);

  const bound = await converge(fns, ops, app, name, csName);
  t.is(readyReason(bound), 'StreamDeployed');
  const cs = await getCs(csName);
  t.is(cs?.metadata.labels?.['sluice.io/auto-provisioned'], 'true');
  t.like(cs?.spec, { name: subject, streamModes: ['read', 'write'], storage: { reclaimPolicy: 'Delete' } });
  t.like((cs?.spec as { claimRef?: unknown }).claimRef, { namespace: app, name, uid: bound?.metadata.uid });
  t.is(statusOf(cs).phase, 'Bound');

  const status = statusOf(bound);
  t.is(status.clusterStream, csName);
  t.deepEqual(status.storageAddress, statusOf(cs).storageAddress);
  const entries = await secretEntries(app, (status.binding as { name: string }).name);
  t.truthy(entries);
  t.like(entries, { type: 'nats', provider: 'sluice', topic: subject, keyExpression: 'payload.id' });

  // Converged: three more reconciles of both write nothing, anywhere.
  const before = await versionsOf(app, name, ops, csName);
  t.false(Object.values(before).includes('none'), JSON.stringify(before));
  for (let i = 0; i < 3; i++) {
    t.is(
      (await attempt(tanzuStreamFunction, streamRef(app, name), streamContext(ops, app, name))).error,
      undefined,
    );
    t.is((await attempt(clusterStreamFunction, csRef(csName), csContext(ops, csName))).error, undefined);
  }
  t.deepEqual(await versionsOf(app, name, ops, csName), before);

  // A client that knows nothing but the Secret's entries.
  const nc = await connect({ servers: (entries?.url ?? '').split(',') });
  t.teardown(() => nc.close());
  const js = nc.jetstream();
  const sc = StringCodec();
  await js.publish(entries?.subject ?? '', sc.encode('hello over nats'));
  const consumer = await js.consumers.get(entries?.stream ?? '');
  const message = await consumer.next({ expires: 5000 });
  t.is(message ? sc.decode(message.data) : undefined, 'hello over nats');
});
