/**
 * @module functions/cluster-stream/reconcile
 * The ClusterStream reconciler: a real topic on Kafka, NATS JetStream or RabbitMQ, bound to at most one
 * Stream, PersistentVolume style, and owned by at most one ClusterStream.
 *
 * Expected flow:
 * 1. Work out the binding phase from `spec.claimRef` and the Stream it names (Available, Bound,
 *    Released: the Stream is gone, recreated or being deleted).
 * 2. Check the spec ({@link planTopic}) and the hands-off annotations (`managementOf`); one that
 *    cannot work is `Ready=False` with its reason (phase Failed) and is not retried.
 * 3. `sluice.io/management: unmanaged`: let go of the topic (release its claim), change nothing,
 *    `Ready=True` reason `Unmanaged`; the worker host then removes the finalizer.
 * 4. Released with `reclaimPolicy: Delete`: reclaim (`reclaim.ts`), deleting the topic only if
 *    this ClusterStream owns it.
 * 5. Ownership: one ClusterStream owns the topic (`ownership.ts`). Another's topic gives
 *    `Ready=False` `ResourceConflict` and nothing on the broker is touched.
 * 6. Look at the topic. In managed mode its owner creates it or adopts an existing one, puts its
 *    settings back to the spec and raises its partitions, after confirming its claim; in
 *    read-only mode the differences are only reported. Publish the binding Secret in the
 *    operator's namespace; write the status.
 * 7. Come back after {@link RESYNC_MS} (± 20 %) so that drift on the broker heals even when
 *    nothing changes in Kubernetes.
 *
 * A converged ClusterStream writes nothing and reads no claim: the Secret is applied unchanged and
 * the status is equal.
 */
import {
  Builtin,
  TerminalError,
  awaitChange,
  findCondition,
  jitter,
  messageOf,
  requeueAfter,
  type ConditionInput,
  type ReconcileResult,
} from '../../runtime/index.js';
import {
  TanzuStreamKind,
  claimStatusOf,
  managedCondition,
  managementOf,
  recordDrift,
  releaseClaim,
  releaseMoved,
  type Management,
  type SettingChange,
  type BrokerSettingsDriftContext,
} from '../../shared/index.js';
import {
  bindingPhase,
  storageAddressFor,
  topicEndpoint,
  type ClaimantState,
  type ClusterStream,
  type ClusterStreamPhase,
} from '../../shared/index.js';
import { connectionFor, describeTopic, type BrokerConnection } from './broker.js';
import { clusterStreamSecret, type StatusInput } from './desired.js';
import { inspectKafkaTopic, type BrokerAction, type TopicPass } from './kafka-topic.js';
import { natsStreamWant, NATS_DEFAULTS, NATS_STREAM_SETTINGS } from './nats-config.js';
import { inspectNatsStream } from './nats-stream.js';
import { inspectRabbitExchange } from './rabbitmq-exchange.js';
import { brokerObjectOf, claimSessionFor, ownerClaimStatus, yieldTopic } from './ownership.js';
import { reclaim } from './reclaim.js';
import { planTopic, type TopicPlan } from './spec.js';
import { carriedOver, claimantName, writeStatus } from './status.js';

/** How often a ready topic is looked at again to heal drift on the broker. */
export const RESYNC_MS = 5 * 60_000;

/** The Stream `claimRef` names, as it is now; `undefined` when there is none or it is gone. */
async function claimantOf(
  cs: ClusterStream,
  ctx: BrokerSettingsDriftContext,
): Promise<ClaimantState | undefined> {
  const ref = cs.spec.claimRef;
  if (!ref?.name || !ref.uid) return undefined;
  const stream = await ctx.kube.get(TanzuStreamKind, ref.namespace ?? '', ref.name, { metadataOnly: true });
  return stream
    ? { uid: stream.metadata.uid ?? '', deleting: !!stream.metadata.deletionTimestamp }
    : undefined;
}

/**
 * Records a terminal error in the status (phase Failed, unless the topic itself is fine and only
 * a change was refused) before the worker host sees it.
 */
async function recordTerminal(
  cs: ClusterStream,
  phase: ClusterStreamPhase,
  err: TerminalError,
  ctx: BrokerSettingsDriftContext,
): Promise<void> {
  await writeStatus(
    cs,
    {
      ...carriedOver(cs),
      phase: err.reason === 'NotSupported' ? phase : 'Failed',
      ready: { status: 'False', reason: err.reason, message: err.message },
    },
    ctx,
  );
}

/** Looks at the topic of `cs` on its broker (see `kafka-topic.ts`, `nats-stream.ts`, `rabbitmq-exchange.ts`). */
async function inspectTopic(
  cs: ClusterStream,
  plan: TopicPlan,
  { servers, credentials }: BrokerConnection,
  management: Management,
  createFirst: boolean,
  ctx: BrokerSettingsDriftContext,
): Promise<{ pass: TopicPass; protocolVersion?: string }> {
  if (plan.protocol === 'rabbitmq' && plan.rabbit) {
    return { pass: await inspectRabbitExchange(ctx.brokers.rabbitmq(servers, credentials), plan.rabbit) };
  }
  if (plan.protocol === 'kafka') {
    const admin = ctx.brokers.kafka(servers, credentials);
    const want = {
      name: plan.topic,
      partitions: cs.spec.partitions,
      replicationFactor: cs.spec.replicationFactor,
      config: cs.spec.config ?? {},
    };
    return { pass: await inspectKafkaTopic(admin, want, { createFirst, ignored: management.ignored }) };
  }
  const { jsm, nc } = await ctx.brokers.jetstream(servers, credentials);
  const want = natsStreamWant(plan.stream, plan.topic, cs.spec.replicationFactor, plan.nats ?? NATS_DEFAULTS);
  const pass = await inspectNatsStream(jsm, want, management.ignored);
  const version = nc.info?.version;
  return { pass, ...(version ? { protocolVersion: version } : {}) };
}

/**
 * The topic was Ready at this generation when last seen: what differs now was changed on the
 * broker, not in the spec.
 */
function wasConverged(cs: ClusterStream, plan: TopicPlan): boolean {
  return (
    cs.status?.observedGeneration === cs.metadata.generation &&
    cs.status?.topicName === plan.topic &&
    findCondition(cs.status, 'Ready')?.status === 'True'
  );
}

/** The Events of one pass: adoption, what was done (or the drift healed), drift seen read-only, refusals. */
async function recordPass(
  cs: ClusterStream,
  what: string,
  pass: TopicPass,
  actions: readonly BrokerAction[],
  drift: readonly SettingChange[],
  managed: ConditionInput,
  ctx: BrokerSettingsDriftContext,
): Promise<void> {
  if (pass.existed && !cs.status?.topicName)
    await ctx.event('Normal', 'TopicAdopted', `adopted the existing ${what}`);
  const healing = managed.reason === 'Managed';
  if (healing && drift.length > 0) await recordDrift(ctx, what, drift, true);
  else for (const action of actions) await ctx.event('Normal', action.reason, action.message);
  const reported = findCondition(cs.status, 'Managed');
  if (!healing && drift.length > 0 && reported?.message !== managed.message)
    await recordDrift(ctx, what, drift, false);
  const before = findCondition(cs.status, 'Ready');
  for (const refusal of pass.refusals) {
    if (before?.reason !== refusal.reason || !before.message.includes(refusal.message)) {
      await ctx.event('Warning', refusal.reason, refusal.message);
    }
  }
}

function readyMessage(cs: ClusterStream, plan: TopicPlan, phase: ClusterStreamPhase, mode: string): string {
  const base = `${describeTopic(plan)} is ready${mode === 'read-only' ? ' (read-only: Sluice changes nothing on it)' : ''}`;
  switch (phase) {
    case 'Bound':
      return `${base}, bound to Stream ${claimantName(cs)}`;
    case 'Released':
      return `${base}; released by Stream ${claimantName(cs)} and retained (reclaimPolicy Retain)`;
    default:
      return base;
  }
}

/** Unmanaged: releases the claim this ClusterStream holds and changes nothing else. */
async function letGo(
  cs: ClusterStream,
  plan: TopicPlan,
  phase: ClusterStreamPhase,
  ctx: BrokerSettingsDriftContext,
): Promise<ReconcileResult> {
  const what = describeTopic(plan);
  const claim = claimStatusOf(cs.status);
  if (claim?.owner && (await releaseClaim(ctx.kube, claim.name, cs.metadata.uid ?? ''))) {
    await ctx.event(
      'Normal',
      'TopicReleased',
      `let go of ${what} (unmanaged); its claim ${claim.name} is released`,
    );
  }
  const { claim: _released, ...kept } = carriedOver(cs);
  const managed = managedCondition('unmanaged', what, [], cs.metadata.generation);
  await writeStatus(
    cs,
    { ...kept, phase, ready: { status: 'True', reason: 'Unmanaged', message: managed.message }, managed },
    ctx,
  );
  return awaitChange();
}

/** Reconciles one ClusterStream (see the module documentation for the flow). */
export async function reconcile(
  cs: ClusterStream,
  ctx: BrokerSettingsDriftContext,
): Promise<ReconcileResult> {
  const phase = bindingPhase(cs.spec.claimRef, await claimantOf(cs, ctx));
  const reclaiming = phase === 'Released' && cs.spec.storage.reclaimPolicy === 'Delete';
  try {
    const plan = planTopic(cs, ctx.config);
    const management = managementOf(cs, plan.protocol === 'nats' ? NATS_STREAM_SETTINGS : undefined);
    if (management.mode === 'unmanaged') return await letGo(cs, plan, phase, ctx);
    if (reclaiming) return await reclaim(cs, plan, management, ctx);
    const connection = await connectionFor(plan, ctx);
    const object = await brokerObjectOf(plan, connection, ctx);
    const session = claimSessionFor(cs, plan, object, ctx);
    await releaseMoved(ctx.kube, claimStatusOf(cs.status), session.name, cs.metadata.uid ?? '');
    const start = await session.start();
    if (start !== 'believed' && start.kind === 'conflict')
      return await yieldTopic(cs, phase, object, start, management, ctx);
    const managed = management.mode === 'managed';
    const createFirst = managed && start !== 'believed' && cs.status?.topicName !== plan.topic;
    const { pass, protocolVersion } = await inspectTopic(cs, plan, connection, management, createFirst, ctx);
    let actions = pass.actions;
    let partitions = pass.partitions;
    if (managed && (pass.missing || pass.changes.length > 0)) {
      const ownership = await session.confirm();
      if (ownership.kind === 'conflict')
        return await yieldTopic(cs, phase, object, ownership, management, ctx);
      const applied = await pass.apply();
      actions = [...actions, ...applied.actions];
      partitions = applied.partitions ?? partitions;
    }
    await session.settleAdoption(pass.existed);
    const drift = managed ? (wasConverged(cs, plan) ? pass.changes : []) : pass.changes;
    const generation = cs.metadata.generation;
    const managedCond = managedCondition(
      management.mode,
      object.what,
      managed ? [] : pass.changes,
      generation,
    );
    await recordPass(cs, object.what, pass, actions, drift, managedCond, ctx);
    const claim = ownerClaimStatus(cs, object);
    if (pass.missing && !managed) {
      const message = `${object.what} does not exist, and in read-only mode Sluice does not create it`;
      await writeStatus(
        cs,
        { phase, ready: { status: 'False', reason: 'TopicNotFound', message }, managed: managedCond, claim },
        ctx,
      );
      return requeueAfter(jitter(RESYNC_MS));
    }
    const endpoint = topicEndpoint(plan.protocol, connection.servers, plan.topic, {
      partitions: partitions ?? cs.spec.partitions,
      vhost: connection.credentials.vhost ?? '/',
    });
    const secret = clusterStreamSecret(cs, endpoint, connection.credentials, ctx.config.namespace);
    await ctx.kube.apply(Builtin.Secret, secret);
    const refused = pass.refusals.map((r) => r.message);
    await writeStatus(
      cs,
      {
        phase,
        ready:
          refused.length > 0
            ? { status: 'False', reason: 'NotSupported', message: refused.join('; ') }
            : {
                status: 'True',
                reason: 'TopicReady',
                message: readyMessage(cs, plan, phase, management.mode),
              },
        managed: managedCond,
        claim,
        binding: secret.metadata.name ?? '',
        storageAddress: storageAddressFor(endpoint, cs.spec.storage.attributes, protocolVersion),
        topicName: plan.topic,
        ...(partitions === undefined ? {} : { partitions }),
      },
      ctx,
    );
    return requeueAfter(jitter(RESYNC_MS));
  } catch (err) {
    if (err instanceof TerminalError) await recordTerminal(cs, phase, err, ctx);
    else if (reclaiming) {
      await writeStatus(cs, { ...carriedOver(cs), phase: 'Failed', ready: readyOf(err) }, ctx).catch(
        () => undefined,
      );
    }
    throw err;
  }
}

/** The Ready condition the worker host writes for `err` (so that its own write changes nothing). */
function readyOf(err: unknown): StatusInput['ready'] {
  const reason = (err as { reason?: unknown }).reason;
  return {
    status: 'False',
    reason: typeof reason === 'string' ? reason : 'ReclaimFailed',
    message: messageOf(err),
  };
}
