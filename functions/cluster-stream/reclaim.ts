/**
 * @module functions/cluster-stream/reclaim
 * A ClusterStream released by its Stream with `reclaimPolicy: Delete`: its topic is deleted if
 * this ClusterStream owns it (its claim says so right now, and it created the topic or
 * `sluice.io/delete-adopted` is "true"); otherwise the topic is kept and the status says why.
 * An auto-provisioned ClusterStream then deletes itself, as a dynamically provisioned
 * PersistentVolume does (its finalizer releases the claim); one an administrator created releases
 * the claim (it no longer uses the topic, so a ClusterStream waiting for it may take it over) and
 * stays Released without a topic until `spec.claimRef` is removed.
 */
import { Builtin, awaitChange, findCondition, type ReconcileResult } from '../../runtime/index.js';
import {
  AUTO_PROVISIONED_LABEL,
  ClusterStreamKind,
  claimNameOf,
  claimNamed,
  clusterStreamBindingName,
  deletionVerdict,
  managedCondition,
  releaseClaim,
  type ClusterStream,
  type Management,
  type BrokerSettingsDriftContext,
} from '../../shared/index.js';
import { connectionFor, deleteTopic, describeTopic } from './broker.js';
import { brokerObjectOf } from './ownership.js';
import { claimantName, writeStatus } from './status.js';
import type { TopicPlan } from './spec.js';

export async function reclaim(
  cs: ClusterStream,
  plan: TopicPlan,
  management: Management,
  ctx: BrokerSettingsDriftContext,
): Promise<ReconcileResult> {
  const auto = cs.metadata.labels?.[AUTO_PROVISIONED_LABEL] === 'true';
  // Reclaimed already (the status says so at this generation): nothing is left to do.
  if (!auto && findCondition(cs.status, 'Ready')?.reason === 'Released') return awaitChange();
  const uid = cs.metadata.uid ?? '';
  const what = describeTopic(plan);
  const connection = await connectionFor(plan, ctx);
  const object = await brokerObjectOf(plan, connection, ctx);
  const claim = await claimNamed(ctx.kube, claimNameOf(object));
  const verdict = deletionVerdict(claim, uid, management);
  let outcome: string;
  if (verdict.delete) {
    if (await deleteTopic(plan, connection, ctx)) {
      await ctx.event(
        'Normal',
        'TopicDeleted',
        `released by Stream ${claimantName(cs)}: deleted ${what} (reclaimPolicy Delete)`,
      );
    }
    outcome = `${what} was deleted (reclaimPolicy Delete)`;
  } else {
    outcome = `${what} was kept: ${verdict.why}`;
    await ctx.event('Warning', 'TopicKept', `released by Stream ${claimantName(cs)}: ${outcome}`);
  }
  if (auto) {
    // Its finalizer runs next: it finds the topic gone (or kept) and releases the claim.
    await ctx.kube.delete(ClusterStreamKind, undefined, cs.metadata.name ?? '', { ...(uid ? { uid } : {}) });
    return awaitChange();
  }
  if (claim?.spec.holder.uid === uid) await releaseClaim(ctx.kube, claim.metadata.name ?? '', uid);
  await ctx.kube.delete(
    Builtin.Secret,
    ctx.config.namespace,
    clusterStreamBindingName(cs.metadata.name ?? ''),
  );
  await writeStatus(
    cs,
    {
      phase: 'Released',
      ready: {
        status: 'False',
        reason: 'Released',
        message:
          `released by Stream ${claimantName(cs)}; ${outcome}. ` +
          `Remove spec.claimRef to provision it again`,
      },
      managed: managedCondition(management.mode, object.what, [], cs.metadata.generation),
    },
    ctx,
  );
  return awaitChange();
}
