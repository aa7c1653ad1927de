/**
 * The Directive against the real API server (with its garbage collector) and the real NATS: the
 * seed example creates its Stream with max age 6 h; an existing Stream is used as is; Streams with
 * retentionPolicy Delete go with the Directive and the default keeps them; publish tasks must name
 * a known Stream.
 */
import test from 'ava';
import { nanos } from 'nats';
import { directiveFunction } from '../../../functions/directive/index.js';
import { streamToDirectives } from '../../../functions/directive/watch.js';
import { CREATED_BY_ANNOTATION } from '../../../functions/directive/desired.js';
import { DIRECTIVE_LABEL } from '../../../functions/directive/watch.js';
import { reconcileObject } from '../../../runtime/worker/reconcile-object.js';
import { tawonStreamFunction } from '../../../functions/tawon-stream/index.js';
import { Builtin, findCondition, isRecord, type KubeObject } from '../../../runtime/index.js';
import { DirectiveKind, TawonStreamKind } from '../../../shared/index.js';
import { adminClient, testContext } from '../../helpers/context.js';
import { eventually } from '../../helpers/kube.js';
import { applyExample, reconcileUntil, refIn } from '../../fixtures/tawon/fixtures.js';
import { closeHarness, serverStream, streamContext, streamNamespace } from '../tawon-stream/harness.js';

const fn = directiveFunction;

test.after.always(closeHarness);

const ready = (o: KubeObject): boolean => findCondition(o.status, 'Ready')?.status === 'True';

function statusOf(obj: KubeObject | undefined): Record<string, unknown> {
  return isRecord(obj?.status) ? obj.status : {};
}

function directiveContext(namespace: string, name: string): ReturnType<typeof testContext> {
  return testContext(DirectiveKind, { about: refIn(fn, namespace, name) });
}

/** Reconciles the Stream `name` until it is ready (the Stream worker would do it). */
async function readyStream(namespace: string, name: string): Promise<KubeObject> {
  const ref = refIn(tawonStreamFunction, namespace, name);
  return reconcileUntil(tawonStreamFunction, ref, streamContext(ref), `Stream ${name} ready`, ready);
}

/** Waits until the garbage collector has processed the deletion of `owner` (a sentinel child goes). */
async function afterGarbageCollection(namespace: string, owner: KubeObject): Promise<void> {
  await eventually(
    'the garbage collector to delete the sentinel',
    async () =>
      !(await adminClient().get(Builtin.ConfigMap, namespace, `sentinel-${owner.metadata.name ?? ''}`)),
    60_000,
  );
}

async function addSentinel(namespace: string, owner: KubeObject): Promise<void> {
  await adminClient().create(Builtin.ConfigMap, {
    metadata: {
      name: `sentinel-${owner.metadata.name ?? ''}`,
      namespace,
      ownerReferences: [
        {
          apiVersion: 'tawon.mantisnet.com/v1alpha1',
          kind: 'Directive',
          name: owner.metadata.name ?? '',
          uid: owner.metadata.uid ?? '',
        },
      ],
    },
  });
}

test('the seed Directive, applied unchanged, creates the coredns Stream with max age 6 h and resolves its subject', async (t) => {
  const namespace = await streamNamespace(t, 'dir-seed');
  const name = await applyExample('directive', namespace);
  const ref = refIn(fn, namespace, name);
  const ctx = directiveContext(namespace, name);
  await reconcileObject(fn, ref, ctx);
  const kube = adminClient();
  const stream = await kube.get(TawonStreamKind, namespace, 'coredns');
  t.truthy(stream, 'the Stream was created');
  t.deepEqual(stream?.spec, { store: { name: 'mystreamstore' }, maxage: '6h' });
  t.is(stream?.metadata.labels?.[DIRECTIVE_LABEL], name);
  const directive = await kube.get(DirectiveKind, namespace, name);
  t.is(stream?.metadata.annotations?.[CREATED_BY_ANNOTATION], directive?.metadata.uid);
  t.deepEqual(stream?.metadata.ownerReferences ?? [], [], 'Retain (the default) sets no owner reference');
  t.true(ctx.recorded.some((e) => e.reason === 'StreamCreated'));
  t.is(findCondition(directive?.status, 'Ready')?.reason, 'StreamNotReady');

  await readyStream(namespace, 'coredns');
  const info = await serverStream(`${namespace}_coredns`);
  t.is(info?.config.max_age, nanos(6 * 3600_000));
  t.is(info?.config.max_msgs, 1000000, "the store's default applies to what the Directive leaves out");

  const done = await reconcileUntil(fn, ref, ctx, 'the directive to be ready', ready);
  t.deepEqual(statusOf(done).streams, [
    {
      name: 'coredns',
      store: 'mystreamstore',
      subject: `tawon.${namespace}.coredns`,
      created: true,
      ready: true,
      limits: { maxmsgs: 1000000, maxage: '6h', maxbytes: '1G' },
      clamped: [],
    },
  ]);
  t.is(statusOf(done).observedGeneration, done.metadata.generation);
});

test("a stream entry asking above the store's hard limit gets a Ready Stream at the limit, and the Directive says so (issue 13)", async (t) => {
  const namespace = await streamNamespace(t, 'dir-clamp');
  const kube = adminClient();
  await kube.create(DirectiveKind, {
    metadata: { name: 'greedy', namespace },
    spec: {
      tasks: [{ task: 'capture' }, { task: 'publish', config: { type: 'stream', name: 'big' } }],
      streams: [{ name: 'big', store: 'mystreamstore', maxage: '9000h', maxmsgs: 5 }],
    },
  });
  const ref = refIn(fn, namespace, 'greedy');
  const ctx = directiveContext(namespace, 'greedy');
  await reconcileObject(fn, ref, ctx);
  const stream = await readyStream(namespace, 'big');
  t.is(findCondition(stream.status, 'LimitsClamped')?.reason, 'StoreLimitApplied');
  t.is((await serverStream(`${namespace}_big`))?.config.max_age, nanos(2400 * 3600_000));
  const done = await reconcileUntil(fn, ref, ctx, 'the directive to be ready', ready);
  const [entry] = Array.isArray(statusOf(done).streams) ? (statusOf(done).streams as unknown[]) : [];
  t.like(entry, {
    name: 'big',
    ready: true,
    limits: { maxmsgs: 5, maxage: '2400h', maxbytes: '1G' },
    clamped: [{ field: 'maxage', asked: '9000h', applied: '2400h' }],
  });
  t.is(findCondition(done.status, 'Ready')?.reason, 'StreamsReady');
});

test('an existing Stream is used as it is and the Directive limits are ignored', async (t) => {
  const namespace = await streamNamespace(t, 'dir-existing');
  const kube = adminClient();
  await kube.create(TawonStreamKind, {
    metadata: { name: 'coredns', namespace },
    spec: { store: { name: 'mystreamstore' }, maxage: '1h' },
  });
  const before = await readyStream(namespace, 'coredns');
  const name = await applyExample('directive', namespace);
  const done = await reconcileUntil(
    fn,
    refIn(fn, namespace, name),
    directiveContext(namespace, name),
    'ready',
    ready,
  );
  const after = await kube.get(TawonStreamKind, namespace, 'coredns');
  t.is(after?.metadata.resourceVersion, before.metadata.resourceVersion, 'the Stream was not touched');
  t.deepEqual(after?.spec, { store: { name: 'mystreamstore' }, maxage: '1h' });
  t.is((await serverStream(`${namespace}_coredns`))?.config.max_age, nanos(3600_000));
  t.deepEqual(statusOf(done).streams, [
    {
      name: 'coredns',
      store: 'mystreamstore',
      subject: `tawon.${namespace}.coredns`,
      created: false,
      ready: true,
      limits: { maxmsgs: 1000000, maxage: '1h', maxbytes: '1G' },
      clamped: [],
    },
  ]);
});

test('with retentionPolicy Delete the Stream and its JetStream stream go with the Directive', async (t) => {
  const namespace = await streamNamespace(t, 'dir-delete');
  const name = await applyExample('directive-temporary-stream', namespace);
  const kube = adminClient();
  await reconcileObject(fn, refIn(fn, namespace, name), directiveContext(namespace, name));
  const stream = await kube.get(TawonStreamKind, namespace, 'coredns');
  const owner = stream?.metadata.ownerReferences?.[0];
  t.is(owner?.kind, 'Directive');
  t.is(owner?.blockOwnerDeletion, true);
  t.is(owner?.controller, true);
  await readyStream(namespace, 'coredns');
  t.truthy(await serverStream(`${namespace}_coredns`));

  await kube.delete(DirectiveKind, namespace, name);
  await eventually('the garbage collector to delete the Stream', async () => {
    const s = await kube.get(TawonStreamKind, namespace, 'coredns');
    return s?.metadata.deletionTimestamp !== undefined;
  });
  const ref = refIn(tawonStreamFunction, namespace, 'coredns');
  t.deepEqual(await reconcileObject(tawonStreamFunction, ref, streamContext(ref)), { kind: 'finalized' });
  t.is(await serverStream(`${namespace}_coredns`), undefined);
  await eventually(
    'the Stream to be gone',
    async () => !(await kube.get(TawonStreamKind, namespace, 'coredns')),
  );
  t.pass();
});

test('by default (Retain) the Stream outlives the Directive', async (t) => {
  const namespace = await streamNamespace(t, 'dir-retain');
  const name = await applyExample('directive', namespace);
  const kube = adminClient();
  await reconcileObject(fn, refIn(fn, namespace, name), directiveContext(namespace, name));
  const directive = await kube.get(DirectiveKind, namespace, name);
  if (!directive) throw new Error('directive missing');
  await addSentinel(namespace, directive);
  await kube.delete(DirectiveKind, namespace, name);
  await afterGarbageCollection(namespace, directive);
  const stream = await kube.get(TawonStreamKind, namespace, 'coredns');
  t.truthy(stream, 'the Stream is still there after the garbage collector ran');
  t.is(stream?.metadata.deletionTimestamp, undefined);
});

test('switching retentionPolicy adds or removes the owner reference, and an unlisted Delete Stream is deleted', async (t) => {
  const namespace = await streamNamespace(t, 'dir-switch');
  const kube = adminClient();
  await kube.create(DirectiveKind, {
    metadata: { name: 'switch', namespace },
    spec: {
      streams: [
        { name: 'kept', store: 'mystreamstore' },
        { name: 'temp', store: 'mystreamstore', retentionPolicy: 'Delete' },
      ],
    },
  });
  const ref = refIn(fn, namespace, 'switch');
  const ctx = directiveContext(namespace, 'switch');
  await reconcileObject(fn, ref, ctx);
  const owners = async (n: string): Promise<number> =>
    ((await kube.get(TawonStreamKind, namespace, n))?.metadata.ownerReferences ?? []).length;
  t.is(await owners('kept'), 0);
  t.is(await owners('temp'), 1);

  await kube.patch(DirectiveKind, namespace, 'switch', {
    spec: { streams: [{ name: 'kept', store: 'mystreamstore', retentionPolicy: 'Delete' }] },
  });
  await reconcileObject(fn, ref, ctx);
  t.is(await owners('kept'), 1, 'Retain → Delete adds the owner reference');
  const temp = await kube.get(TawonStreamKind, namespace, 'temp');
  t.true(
    temp === undefined || temp.metadata.deletionTimestamp !== undefined,
    'the unlisted Delete Stream is deleted',
  );
  t.true(ctx.recorded.some((e) => e.reason === 'StreamDeleted'));

  await kube.patch(DirectiveKind, namespace, 'switch', {
    spec: { streams: [{ name: 'kept', store: 'mystreamstore', retentionPolicy: 'Retain' }] },
  });
  await reconcileObject(fn, ref, ctx);
  t.is(await owners('kept'), 0, 'Delete → Retain removes it');
});

test('a publish task naming an unknown Stream gives UnknownStream until that Stream exists', async (t) => {
  const namespace = await streamNamespace(t, 'dir-unknown');
  const kube = adminClient();
  await kube.create(DirectiveKind, {
    metadata: { name: 'pub', namespace },
    spec: {
      tasks: [
        { task: 'capture', config: { filter: 'port 53' } },
        { task: 'publish', config: { type: 'stream', name: 'elsewhere' } },
      ],
    },
  });
  const ref = refIn(fn, namespace, 'pub');
  const ctx = directiveContext(namespace, 'pub');
  await reconcileObject(fn, ref, ctx);
  const cond = findCondition((await kube.get(DirectiveKind, namespace, 'pub'))?.status, 'Ready');
  t.is(cond?.status, 'False');
  t.is(cond?.reason, 'UnknownStream');
  t.regex(cond?.message ?? '', /elsewhere/);

  await kube.create(TawonStreamKind, {
    metadata: { name: 'elsewhere', namespace },
    spec: { store: { name: 'mystreamstore' } },
  });
  await readyStream(namespace, 'elsewhere');
  const done = await reconcileUntil(fn, ref, ctx, 'ready', ready);
  t.deepEqual(statusOf(done).streams, [
    {
      name: 'elsewhere',
      store: 'mystreamstore',
      subject: `tawon.${namespace}.elsewhere`,
      created: false,
      ready: true,
      limits: { maxmsgs: 1000000, maxage: '240h', maxbytes: '1G' },
      clamped: [],
    },
  ]);
});

test('a listed Stream that does not exist and names no store gives StoreRequired', async (t) => {
  const namespace = await streamNamespace(t, 'dir-nostore');
  await adminClient().create(DirectiveKind, {
    metadata: { name: 'nostore', namespace },
    spec: { streams: [{ name: 'floating' }] },
  });
  await reconcileObject(fn, refIn(fn, namespace, 'nostore'), directiveContext(namespace, 'nostore'));
  const obj = await adminClient().get(DirectiveKind, namespace, 'nostore');
  t.is(findCondition(obj?.status, 'Ready')?.reason, 'StoreRequired');
  t.is(await adminClient().get(TawonStreamKind, namespace, 'floating'), undefined);
});

test('a Stream maps to the Directives that list it, publish to it or created it', (t) => {
  const d = (name: string, spec: Record<string, unknown>, ns = 'ns1'): KubeObject => ({
    metadata: { name, namespace: ns },
    spec,
  });
  const directives = [
    d('lists', { streams: [{ name: 's' }] }),
    d('publishes', { tasks: [{ task: 'publish', config: { type: 'stream', name: 's' } }] }),
    d('creator', {}),
    d('other', { streams: [{ name: 't' }] }),
    d('lists', { streams: [{ name: 's' }] }, 'ns2'),
  ];
  const stream: KubeObject = {
    metadata: { name: 's', namespace: 'ns1', labels: { [DIRECTIVE_LABEL]: 'creator' } },
  };
  const refs = streamToDirectives(stream, { list: () => directives, get: () => undefined });
  t.deepEqual(
    refs.map((r) => `${r.namespace ?? ''}/${r.name}`),
    ['ns1/lists', 'ns1/publishes', 'ns1/creator'],
  );
});
