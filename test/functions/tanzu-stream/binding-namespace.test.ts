/**
 * Where a broker binding Secret is read, on the real API server and NATS: a Stream's
 * `spec.binding` names a Secret of the Stream's own namespace (before the operator's), through the
 * `sluice.io/binding-namespace` annotation Sluice sets on the ClusterStream it provisions; on any
 * ClusterStream Sluice did not provision for a Stream of that namespace the annotation counts for
 * nothing and the binding is read from the operator's namespace alone.
 */
import test from 'ava';
import { bindingNamespaceOf } from '../../../functions/cluster-stream/spec.js';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { Builtin, findCondition } from '../../../runtime/index.js';
import {
  AUTO_PROVISIONED_LABEL,
  BINDING_NAMESPACE_ANNOTATION,
  ClusterStreamKind,
  PROVISIONED_FOR_ANNOTATION,
  TanzuStreamKind,
} from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, uniqueName } from '../../helpers/env.js';
import {
  attempt,
  cleanupClusterStream,
  closeBrokers,
  clusterStream,
  converge,
  create,
  csContext,
  csName,
  csRef,
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

function natsSecret(namespace: string, name: string, token: string): Promise<unknown> {
  return adminClient().create(Builtin.Secret, {
    metadata: { name, namespace },
    stringData: { type: 'nats', token },
  });
}

test("a Stream's binding is read in the Stream's namespace, before a Secret of the same name in the operator's", async (t) => {
  const iso = isolation('st-bind-ns');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  await natsSecret(app, 'team-nats', 'app-token');
  await natsSecret(ops, 'team-nats', 'ops-token');
  const name = uniqueName('bindns');
  const csNameOf = `${name}-cluster-stream`;
  cleanupClusterStream(t, csNameOf);
  await adminClient().create(
    TanzuStreamKind,
    stream(app, name, { name: `${iso.topicPrefix}bindns`, protocol: 'nats', binding: 'team-nats' }),
  );
  const bound = await converge(fns, ops, app, name, csNameOf);
  t.is(readyReason(bound), 'StreamDeployed', JSON.stringify(statusOf(bound).conditions));
  const cs = await getCs(csNameOf);
  t.is(cs?.metadata.annotations?.[BINDING_NAMESPACE_ANNOTATION], app);
  const entries = await secretEntries(app, (statusOf(bound).binding as { name: string }).name);
  t.is(entries?.token, 'app-token');
});

test('a Stream without a binding of its own provisions a ClusterStream without sluice.io/binding-namespace', async (t) => {
  const iso = isolation('st-bind-none');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const name = uniqueName('bindnone');
  const csNameOf = `${name}-cluster-stream`;
  cleanupClusterStream(t, csNameOf);
  await adminClient().create(
    TanzuStreamKind,
    stream(app, name, { name: `${iso.topicPrefix}bindnone`, protocol: 'nats' }),
  );
  t.is(readyReason(await converge(fns, ops, app, name, csNameOf)), 'StreamDeployed');
  const cs = await getCs(csNameOf);
  t.is(cs?.metadata.labels?.[AUTO_PROVISIONED_LABEL], 'true');
  t.is(cs?.metadata.annotations?.[BINDING_NAMESPACE_ANNOTATION], undefined);
});

test("an administrator's ClusterStream annotated with a user namespace still reads its binding from the operator's namespace", async (t) => {
  const iso = isolation('cs-bind-admin');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  await natsSecret(app, 'only-in-app', 'app-token');
  const cases: Record<string, { labels?: Record<string, string>; annotations: Record<string, string> }> = {
    plain: { annotations: { [BINDING_NAMESPACE_ANNOTATION]: app } },
    // Labelled as provisioned, but for a Stream of another namespace than the one annotated.
    elsewhere: {
      labels: { [AUTO_PROVISIONED_LABEL]: 'true' },
      annotations: { [BINDING_NAMESPACE_ANNOTATION]: app, [PROVISIONED_FOR_ANNOTATION]: `${ops}/s` },
    },
  };
  for (const [label, meta] of Object.entries(cases)) {
    const name = csName(`admin-${label}`);
    cleanupClusterStream(t, name);
    await create(
      ClusterStreamKind,
      clusterStream({
        name,
        topic: `${iso.topicPrefix}admin-${label}`,
        protocol: 'nats',
        binding: 'only-in-app',
        ...meta,
      }),
    );
    await attempt(clusterStreamFunction, csRef(name), csContext(ops, name));
    const ready = findCondition(statusOf(await getCs(name)), 'Ready');
    t.is(ready?.reason, 'BindingNotFound', label);
    t.is(ready?.message, `the broker binding Secret ${ops}/only-in-app does not exist`, label);
  }
});

test('the binding namespace counts only on a ClusterStream provisioned for a Stream of that namespace', (t) => {
  const cs = (labels: Record<string, string>, annotations: Record<string, string>) => ({
    metadata: { name: 'c', labels, annotations },
  });
  const auto = { [AUTO_PROVISIONED_LABEL]: 'true' };
  const ns = BINDING_NAMESPACE_ANNOTATION;
  const by = PROVISIONED_FOR_ANNOTATION;
  t.is(bindingNamespaceOf(cs(auto, { [ns]: 'team', [by]: 'team/orders' })), 'team');
  t.is(bindingNamespaceOf(cs({}, { [ns]: 'team', [by]: 'team/orders' })), undefined);
  t.is(bindingNamespaceOf(cs(auto, { [ns]: 'team', [by]: 'other/orders' })), undefined);
  t.is(bindingNamespaceOf(cs(auto, { [ns]: 'team', [by]: 'team-b/orders' })), undefined);
  t.is(bindingNamespaceOf(cs(auto, { [ns]: 'team' })), undefined);
  t.is(bindingNamespaceOf(cs(auto, { [by]: 'team/orders' })), undefined);
});
