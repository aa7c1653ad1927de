/**
 * A ClusterStream with reclaimPolicy Delete whose broker cannot be reached never wedges its own
 * deletion: the force-delete annotation ends it at once, and without it the finalizer gives up
 * once the broker has been unreachable for the broker-gone limit (5 minutes in production, 3 s
 * here), each with a Warning Event. Nothing listens on 127.0.0.1:1, so every dial is refused.
 */
import test, { type ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterStreamFunction, clusterStreamFunctionWith } from '../../../functions/cluster-stream/index.js';
import { findCondition } from '../../../runtime/index.js';
import { BrokerUnavailableError, ClusterStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation } from '../../helpers/env.js';
import {
  attempt,
  cleanupClusterStream,
  closeBrokers,
  clusterStream,
  create,
  csContext,
  csName,
  csRef,
  getCs,
  prepare,
  statusOf,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

const UNREACHABLE = '127.0.0.1:1';

async function unreachable(
  t: ExecutionContext,
  label: string,
  annotations?: Record<string, string>,
): Promise<{ name: string; ctx: ReturnType<typeof csContext> }> {
  const iso = isolation(label);
  await prepare(t, iso.namespace);
  const name = csName(label);
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: `${iso.topicPrefix}lost`,
      url: UNREACHABLE,
      storage: { reclaimPolicy: 'Delete' },
      ...(annotations ? { annotations } : {}),
    }),
  );
  const ctx = csContext(iso.namespace, name);
  const { error } = await attempt(clusterStreamFunction, csRef(name), ctx);
  t.true(error instanceof BrokerUnavailableError, `expected BrokerUnavailable, got ${String(error)}`);
  t.is(findCondition(statusOf(await getCs(name)), 'Ready')?.reason, 'BrokerUnavailable');
  await adminClient().delete(ClusterStreamKind, undefined, name);
  return { name, ctx };
}

test('the force-delete annotation finishes the deletion at once, with a ForceDeleted Warning', async (t) => {
  const { name, ctx } = await unreachable(t, 'cs-force', { 'sluice.io/force-delete': 'true' });
  const started = Date.now();
  const { outcome } = await attempt(clusterStreamFunction, csRef(name), ctx);
  t.log(`deletion finished ${Date.now() - started} ms after the finalizer ran`);
  t.is(outcome?.kind, 'finalized');
  t.is(await getCs(name), undefined);
  t.truthy(ctx.recorded.find((e) => e.type === 'Warning' && e.reason === 'ForceDeleted'));
});

test('an unreachable broker is retried, then given up once the broker-gone limit passes, with a BrokerGone Warning', async (t) => {
  const { name, ctx } = await unreachable(t, 'cs-gone');
  const fn = clusterStreamFunctionWith({ brokerGoneAfterMs: 3000 });
  const started = Date.now();
  const first = await attempt(fn, csRef(name), ctx);
  t.is(first.error, undefined);
  t.is(first.outcome?.kind, 'reconciled', 'the first failure asks to be run again');
  t.truthy(ctx.recorded.find((e) => e.type === 'Warning' && e.reason === 'TopicDeleteFailed'));
  t.truthy((await getCs(name))?.metadata.deletionTimestamp);

  let outcome = first.outcome;
  for (let i = 0; i < 20 && outcome?.kind !== 'finalized'; i++) {
    const wait = outcome?.kind === 'reconciled' ? (outcome.result.requeueAfterMs ?? 1000) : 1000;
    await sleep(wait);
    outcome = (await attempt(fn, csRef(name), ctx)).outcome;
  }
  t.log(`deletion finished ${Date.now() - started} ms after the finalizer first ran`);
  t.is(outcome?.kind, 'finalized');
  t.is(await getCs(name), undefined);
  t.truthy(ctx.recorded.find((e) => e.type === 'Warning' && e.reason === 'BrokerGone'));
});

test('a released Delete ClusterStream whose broker cannot be reached is phase Failed and retried', async (t) => {
  const iso = isolation('cs-reclaim-failed');
  await prepare(t, iso.namespace);
  const name = csName('reclaim-failed');
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: `${iso.topicPrefix}orphan`,
      url: UNREACHABLE,
      storage: { reclaimPolicy: 'Delete' },
      spec: { claimRef: { namespace: iso.namespace, name: 'long-gone', uid: 'a-uid-no-stream-has' } },
    }),
  );
  const { error } = await attempt(clusterStreamFunction, csRef(name), csContext(iso.namespace, name));
  t.true(error instanceof BrokerUnavailableError, `expected BrokerUnavailable, got ${String(error)}`);
  const status = statusOf(await getCs(name));
  t.is(status.phase, 'Failed');
  t.is(findCondition(status, 'Ready')?.reason, 'BrokerUnavailable');
});
