/**
 * The claim itself on the real API server: whatever the timing, of several holders that claim one
 * broker object at once through separate connections exactly one owns it; a stale claim evicted by
 * several waiters at once still gives one owner; release and adoption touch only the holder's claim.
 */
import test, { type ExecutionContext } from 'ava';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, KubeRest, type KubeObject } from '../../../runtime/index.js';
import {
  BrokerClaimType,
  ClusterStreamKind,
  acquireClaim,
  claimNameOf,
  claimNamed,
  holderOf,
  kafkaTopicObject,
  markAdopted,
  releaseClaim,
  type ClaimHolder,
} from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { suffix, testEnv, uniqueName } from '../../helpers/env.js';

const opened: KubeClient[] = [];
test.after.always(() => {
  for (const c of opened) c.rest.close();
});

/** A client with a connection of its own, as another worker process has. */
function ownClient(): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kubeconfig);
  const client = new KubeClient(new KubeRest(kc));
  opened.push(client);
  return client;
}

/** ClusterStream objects (never reconciled) to stand as live holders. */
async function holders(t: ExecutionContext, count: number): Promise<ClaimHolder[]> {
  await installCrds();
  const out: ClaimHolder[] = [];
  for (let i = 0; i < count; i++) {
    const name = uniqueName('claim-holder');
    const cs: KubeObject = await adminClient().create(ClusterStreamKind, {
      metadata: { name },
      spec: { name: 'x', storage: { server: { protocol: 'kafka' } } },
    });
    t.teardown(() =>
      adminClient()
        .delete(ClusterStreamKind, undefined, name)
        .then(() => undefined),
    );
    out.push(holderOf(ClusterStreamKind, cs));
  }
  return out;
}

function cleanup(t: ExecutionContext, names: string[]): void {
  t.teardown(async () => {
    for (const n of names)
      await adminClient()
        .delete(BrokerClaimType, undefined, n)
        .catch(() => undefined);
  });
}

test('of four holders claiming one topic at once through their own connections, exactly one owns it, in every round', async (t) => {
  const live = await holders(t, 4);
  const clients = live.map(() => ownClient());
  const rounds = 20;
  const names: string[] = [];
  cleanup(t, names);
  for (let round = 0; round < rounds; round++) {
    const object = kafkaTopicObject(`race-${suffix()}`, 'orders');
    names.push(claimNameOf(object));
    const outcomes = await Promise.all(
      live.map((h, i) => acquireClaim(clients[i] ?? adminClient(), object, h, false)),
    );
    const owners = outcomes.flatMap((o, i) => (o.kind === 'owner' ? [live[i]?.uid] : []));
    t.is(owners.length, 1, `round ${round}: one owner`);
    for (const o of outcomes) if (o.kind === 'conflict') t.is(o.holder?.uid, owners[0]);
    t.is((await claimNamed(adminClient(), claimNameOf(object)))?.spec.holder.uid, owners[0]);
  }
});

test('a stale claim evicted by three waiters at once is taken by exactly one of them', async (t) => {
  const live = await holders(t, 3);
  const names: string[] = [];
  cleanup(t, names);
  for (let round = 0; round < 5; round++) {
    const object = kafkaTopicObject(`stale-${suffix()}`, 'orders');
    names.push(claimNameOf(object));
    const gone: ClaimHolder = {
      ...(live[0] as ClaimHolder),
      name: uniqueName('gone'),
      uid: `gone-${suffix()}`,
    };
    t.is((await acquireClaim(adminClient(), object, gone, false)).kind, 'owner');
    const clients = live.map(() => ownClient());
    const outcomes = await Promise.all(
      live.map((h, i) => acquireClaim(clients[i] ?? adminClient(), object, h, false)),
    );
    t.is(outcomes.filter((o) => o.kind === 'owner').length, 1, `round ${round}`);
    const holder = (await claimNamed(adminClient(), claimNameOf(object)))?.spec.holder.uid;
    t.true(
      live.some((h) => h.uid === holder),
      'a live waiter holds it now',
    );
  }
});

test("releasing and marking adopted touch only the holder's own claim", async (t) => {
  const [a, b] = await holders(t, 2);
  if (!a || !b) return t.fail();
  const object = kafkaTopicObject(`release-${suffix()}`, 'orders');
  const name = claimNameOf(object);
  cleanup(t, [name]);
  const won = await acquireClaim(adminClient(), object, a, false);
  t.is(won.kind, 'owner');
  t.false(await releaseClaim(adminClient(), name, b.uid), 'another holder cannot release it');
  t.truthy(await claimNamed(adminClient(), name));
  if (won.kind === 'owner') t.true((await markAdopted(adminClient(), won.claim)).spec.adopted);
  t.true(await releaseClaim(adminClient(), name, a.uid));
  t.is(await claimNamed(adminClient(), name), undefined);
  // A claim made afresh by someone else is not marked through the old claim (its UID differs).
  const again = await acquireClaim(adminClient(), object, b, false);
  if (won.kind === 'owner' && again.kind === 'owner') {
    await t.throwsAsync(
      markAdopted(adminClient(), { ...won.claim, spec: { ...won.claim.spec, adopted: false } }),
    );
    t.false((await claimNamed(adminClient(), name))?.spec.adopted);
  }
});
