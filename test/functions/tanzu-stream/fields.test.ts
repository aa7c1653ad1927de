/**
 * Every Stream field reaches something real, on the real API server and NATS: keys, streamMode,
 * attributes and binding shape the ClusterStream it provisions (and follow later changes), the
 * binding's credentials and the key and data schema reach the Stream's binding Secret, and the
 * attributes reach the copied storage address.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { Builtin } from '../../../runtime/index.js';
import { TanzuStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, uniqueName } from '../../helpers/env.js';
import {
  cleanupClusterStream,
  closeBrokers,
  converge,
  getCs,
  natsConnection,
  natsPrefix,
  prepareTwo,
  readyReason,
  secretEntries,
  statusOf,
  stream,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };

test('keys, streamMode, attributes, binding and dataSchemaContext reach the ClusterStream and the binding Secret', async (t) => {
  const iso = isolation('st-fields');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  await adminClient().create(Builtin.Secret, {
    metadata: { name: 'team-nats', namespace: ops },
    stringData: { type: 'nats', token: 'team-token' },
  });
  const name = uniqueName('fields');
  const csNameOf = `${name}-cluster-stream`;
  cleanupClusterStream(t, csNameOf);
  const subject = `${iso.topicPrefix}fields`;
  const schema = {
    schema: {
      name: 'Click',
      namespace: 'com.example',
      fields: [
        { name: 'user', type: 'string' },
        { name: 'ts', type: 'long_timestamp-millis' },
      ],
    },
    timeAttributes: [{ name: 'ts', watermark: "`ts` - INTERVAL '3' SECONDS" }],
    primaryKey: ['user'],
  };
  await adminClient().create(
    TanzuStreamKind,
    stream(app, name, {
      name: subject,
      protocol: 'nats',
      keys: ['user'],
      streamMode: ['write'],
      attributes: { team: 'web' },
      binding: 'team-nats',
      dataSchemaContext: schema,
    }),
  );
  const bound = await converge(fns, ops, app, name, csNameOf);
  t.is(readyReason(bound), 'StreamDeployed');

  const cs = await getCs(csNameOf);
  t.like(cs?.spec, {
    name: subject,
    keys: ['user'],
    streamModes: ['write'],
    storage: { server: { protocol: 'nats', binding: 'team-nats' }, attributes: { team: 'web' } },
  });
  const address = statusOf(bound).storageAddress as {
    server: { production: { variables: Record<string, string> } };
  };
  t.is(address.server.production.variables.team, 'web');

  const entries = await secretEntries(app, (statusOf(bound).binding as { name: string }).name);
  t.like(entries, { keys: 'user', token: 'team-token', subject });
  t.deepEqual(JSON.parse(entries?.dataSchemaContext ?? 'null'), schema);

  // Later changes of the Stream follow into its ClusterStream.
  await adminClient().patch(TanzuStreamKind, app, name, {
    spec: { keys: ['user', 'ts'], streamMode: ['read', 'write'] },
  });
  t.is(readyReason(await converge(fns, ops, app, name, csNameOf)), 'StreamDeployed');
  t.like((await getCs(csNameOf))?.spec, { keys: ['user', 'ts'], streamModes: ['read', 'write'] });
  t.like(await secretEntries(app, (statusOf(bound).binding as { name: string }).name), { keys: 'user,ts' });
});
