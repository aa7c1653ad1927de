/**
 * A Stream on RabbitMQ, end to end on the real servers (issue 13): it provisions its ClusterStream
 * on the operator's default RabbitMQ with the operator's broker binding, binds, and publishes a
 * binding Secret of type rabbitmq; a client configured only from that Secret's entries (host,
 * port, username, password, virtual host, exchange, queue) produces and consumes. Deleting the
 * Stream deletes the exchange, its queue and the ClusterStream.
 */
import test from 'ava';
import { connect } from 'amqplib';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { Builtin } from '../../../runtime/index.js';
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
  prepareTwo,
  readyReason,
  secretEntries,
  statusOf,
  stream,
} from '../../fixtures/tanzu/fixtures.js';
import { rabbitEnv, readStream, tenantBinding, tenantClient } from '../../fixtures/tanzu/rabbitmq.js';

test.after.always(closeBrokers);

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };

test('a RabbitMQ Stream provisions its ClusterStream, binds, and a client configured only from its Secret produces and consumes', async (t) => {
  const env = await rabbitEnv();
  const iso = isolation('st-rabbit');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const exchange = `${iso.topicPrefix.replace(/\./g, '-')}team-scores`;
  const client = await tenantClient(t, env, exchange, [exchange]);
  await tenantBinding(ops, 'rabbit-default', env);
  const config = { rabbitmqUrl: env.hostPort, rabbitmqBinding: 'rabbit-default' };
  const name = uniqueName('scores');
  const csNameOf = `${name}-cluster-stream`;
  cleanupClusterStream(t, csNameOf);
  await adminClient().create(
    TanzuStreamKind,
    stream(app, name, { name: exchange, protocol: 'rabbitmq', keyExpression: 'payload.team' }),
  );
  const bound = await converge(fns, ops, app, name, csNameOf, { rounds: 10, config });
  t.is(readyReason(bound), 'StreamDeployed');
  t.like((await getCs(csNameOf))?.spec, {
    name: exchange,
    partitions: 1,
    storage: { server: { url: env.hostPort, protocol: 'rabbitmq', binding: 'rabbit-default' } },
  });

  const secretName = (statusOf(bound).binding as { name: string }).name;
  const secret = await adminClient().get(Builtin.Secret, app, secretName);
  t.is((secret as { type?: string } | undefined)?.type, 'servicebinding.io/rabbitmq');
  const entries = (await secretEntries(app, secretName)) ?? {};
  t.like(entries, { type: 'rabbitmq', provider: 'sluice', keyExpression: 'payload.team', exchange });
  t.false(JSON.stringify(bound).includes(env.tenant.password), 'no credential in the Stream');

  // A workload that knows nothing but the Secret's entries.
  const workload = await connect({
    hostname: entries.host ?? '',
    port: Number(entries.port),
    username: entries.username ?? '',
    password: entries.password ?? '',
    vhost: entries['virtual-host'] ?? '',
  });
  t.teardown(() => workload.close().catch(() => undefined));
  const producer = await workload.createConfirmChannel();
  producer.publish(entries.exchange ?? '', '', Buffer.from('Team:red, Score:7'));
  await producer.waitForConfirms();
  t.deepEqual(await readStream(await workload.createChannel(), entries.queue ?? '', 1), [
    'Team:red, Score:7',
  ]);

  // Deleting the Stream releases its ClusterStream, which deletes the exchange, its queue and itself.
  await adminClient().delete(TanzuStreamKind, app, name);
  const ctx = csContext(ops, csNameOf, config);
  t.is((await attempt(clusterStreamFunction, csRef(csNameOf), ctx)).error, undefined);
  t.false(await client.exists(exchange, 'exchange'));
  t.false(await client.exists(exchange));
  t.is((await attempt(clusterStreamFunction, csRef(csNameOf), ctx)).outcome?.kind, 'finalized');
  t.is(await getCs(csNameOf), undefined);
});
