/**
 * Why each reconcile ran, as the history records it (issue 17): the dispatcher's triggers — the
 * start-up list (`relist`), a watch event (`event`), a change of an owned object (`owned`), a
 * mapped one (`mapped`), the periodic resync (`resync`) — each carried in the job's payload from
 * the dispatcher to the worker's record, against the real API server, Redis and workers. (The
 * `http` and `cli` triggers, with who asked, are in the HTTP and CLI tests.)
 */
import test from 'ava';
import { Builtin, readHistory, type KubeObject, type ObjectRef } from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds, startWidgetDispatcher } from './harness.js';
import { GadgetKind, WidgetKind } from './widget-function.js';

test.before(async () => {
  await installTestCrds();
});

test('each trigger of the dispatcher is recorded with its reason: relist, event, owned, mapped and resync', async (t) => {
  const iso = isolation('reasons');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const kube = adminClient();
  const reasons = async (ref: ObjectRef): Promise<string[]> =>
    (await readHistory(rig.queues.connection, rig.prefix, WidgetKind, ref)).map((r) => r.reason);
  const recorded = (ref: ObjectRef, reason: string, timeoutMs?: number): Promise<boolean> =>
    eventually(
      `${ref.name}: a ${reason} record`,
      async () => (await reasons(ref)).includes(reason),
      timeoutMs,
    );

  const [listed] = await createWidgets(iso.namespace, 1, 'listed');
  if (!listed) throw new Error('no widget');
  rig.worker();
  startWidgetDispatcher(t, rig, iso.namespace, { resyncSeconds: 3 });
  t.true(await recorded(listed, 'relist'), 'an object found by the start-up list');

  const [created] = await createWidgets(iso.namespace, 1, 'created');
  if (!created) throw new Error('no widget');
  t.true(await recorded(created, 'event'), 'a new object');

  const owner = await kube.get(WidgetKind, iso.namespace, created.name);
  await kube.create<KubeObject>(Builtin.ConfigMap, {
    metadata: {
      name: `${created.name}-child`,
      namespace: iso.namespace,
      ownerReferences: [
        {
          apiVersion: `${WidgetKind.group}/${WidgetKind.version}`,
          kind: WidgetKind.kind,
          name: created.name,
          uid: owner?.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
    data: { a: '1' },
  });
  t.true(await recorded(created, 'owned'), 'a change of an object it owns');

  const gadget = `gadget-${iso.queuePrefix}`;
  await kube.create<KubeObject>(GadgetKind, {
    metadata: { name: gadget },
    spec: { widget: `${iso.namespace}/${listed.name}` },
  });
  t.teardown(() => kube.delete(GadgetKind, undefined, gadget).then(() => undefined));
  t.true(await recorded(listed, 'mapped'), 'a change of a watched object mapped to it');

  t.true(await recorded(listed, 'resync', 15_000), 'the periodic resync');
});
