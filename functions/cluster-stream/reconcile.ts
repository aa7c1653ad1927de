/**
 * @module functions/cluster-stream/reconcile
 * The ClusterStream reconciler: a real topic on Kafka or NATS JetStream, bound to at most one
 * Stream, PersistentVolume style.
 *
 * Expected flow:
 * 1. Work out the binding phase from `spec.claimRef` and the Stream it names (Available, Bound,
 *    Released: the Stream is gone, recreated or being deleted).
 * 2. Check the spec ({@link planTopic}); a spec that cannot work is `Ready=False` with its reason
 *    and phase Failed, and is not retried.
 * 3. Released with `reclaimPolicy: Delete`: delete the topic. An auto-provisioned ClusterStream
 *    then deletes itself, as a dynamically provisioned PersistentVolume does; one an administrator
 *    created stays Released without a topic until `spec.claimRef` is removed.
 * 4. Otherwise (Available, Bound, or Released with Retain) create or adopt the topic, put its
 *    settings back to the spec, raise its partitions; publish the binding Secret in the operator's
 *    namespace; write the status.
 * 5. Come back after {@link RESYNC_MS} (± 20 %) so that drift on the broker heals even when
 *    nothing changes in Kubernetes.
 *
 * A converged ClusterStream writes nothing: the Secret is applied unchanged and the status is equal.
 */
import {
  Builtin,
  TerminalError,
  awaitChange,
  findCondition,
  messageOf,
  jitter,
  requeueAfter,
  type ReconcileResult,
} from '../../runtime/index.js';
import { ClusterStreamKind, TanzuStreamKind, type BrokerSettingsContext } from '../../shared/index.js';
import {
  AUTO_PROVISIONED_LABEL,
  bindingPhase,
  clusterStreamBindingName,
  storageAddressFor,
  topicEndpoint,
  type ClaimantState,
  type ClusterStream,
  type ClusterStreamPhase,
} from '../../shared/index.js';
import { connectionFor, deleteTopic, describeTopic, type BrokerConnection } from './broker.js';
import { clusterStreamSecret, clusterStreamStatus, type StatusInput } from './desired.js';
import { ensureKafkaTopic, type TopicObservation } from './kafka-topic.js';
import { natsStreamWant, NATS_DEFAULTS } from './nats-config.js';
import { ensureNatsStream } from './nats-stream.js';
import { planTopic, type TopicPlan } from './spec.js';

/** How often a ready topic is looked at again to heal drift on the broker. */
export const RESYNC_MS = 5 * 60_000;

/** The Stream `claimRef` names, as it is now; `undefined` when there is none or it is gone. */
async function claimantOf(cs: ClusterStream, ctx: BrokerSettingsContext): Promise<ClaimantState | undefined> {
  const ref = cs.spec.claimRef;
  if (!ref?.name || !ref.uid) return undefined;
  const stream = await ctx.kube.get(TanzuStreamKind, ref.namespace ?? '', ref.name, { metadataOnly: true });
  return stream
    ? { uid: stream.metadata.uid ?? '', deleting: !!stream.metadata.deletionTimestamp }
    : undefined;
}

function claimantName(cs: ClusterStream): string {
  const ref = cs.spec.claimRef;
  return `${ref?.namespace ?? ''}/${ref?.name ?? ''}`;
}

async function writeStatus(cs: ClusterStream, input: StatusInput, ctx: BrokerSettingsContext): Promise<void> {
  await ctx.kube.writeStatus(ClusterStreamKind, cs, clusterStreamStatus(cs, input, ctx.clock.now()));
}

/** Keeps what the last status said about the topic, with a new phase and Ready condition. */
function carriedOver(cs: ClusterStream): Omit<StatusInput, 'phase' | 'ready'> {
  const s = cs.status;
  return {
    ...(s?.binding?.name === undefined ? {} : { binding: s.binding.name }),
    ...(s?.storageAddress === undefined ? {} : { storageAddress: s.storageAddress }),
    ...(s?.topicName === undefined ? {} : { topicName: s.topicName }),
    ...(s?.partitions === undefined ? {} : { partitions: s.partitions }),
  };
}

/**
 * Records a terminal error in the status (phase Failed, unless the topic itself is fine and only
 * a change was refused) before the worker host sees it.
 */
async function recordTerminal(
  cs: ClusterStream,
  phase: ClusterStreamPhase,
  err: TerminalError,
  ctx: BrokerSettingsContext,
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

async function ensureTopic(
  cs: ClusterStream,
  plan: TopicPlan,
  { servers, credentials }: BrokerConnection,
  ctx: BrokerSettingsContext,
): Promise<{ observation: TopicObservation; protocolVersion?: string }> {
  if (plan.protocol === 'kafka') {
    const admin = ctx.brokers.kafka(servers, credentials);
    const want = {
      name: plan.topic,
      partitions: cs.spec.partitions,
      replicationFactor: cs.spec.replicationFactor,
      config: cs.spec.config ?? {},
    };
    // A topic the status never named is most likely new: create first, describe only if it exists.
    const observation = await ensureKafkaTopic(admin, want, {
      expectMissing: cs.status?.topicName !== plan.topic,
    });
    return { observation };
  }
  const { jsm, nc } = await ctx.brokers.jetstream(servers, credentials);
  const want = natsStreamWant(plan.stream, plan.topic, cs.spec.replicationFactor, plan.nats ?? NATS_DEFAULTS);
  const observation = await ensureNatsStream(jsm, want);
  const version = nc.info?.version;
  return { observation, ...(version ? { protocolVersion: version } : {}) };
}

async function reclaim(
  cs: ClusterStream,
  plan: TopicPlan,
  ctx: BrokerSettingsContext,
): Promise<ReconcileResult> {
  const what = describeTopic(plan);
  if (await deleteTopic(plan, ctx)) {
    await ctx.event(
      'Normal',
      'TopicDeleted',
      `released by Stream ${claimantName(cs)}: deleted ${what} (reclaimPolicy Delete)`,
    );
  }
  if (cs.metadata.labels?.[AUTO_PROVISIONED_LABEL] === 'true') {
    await ctx.kube.delete(ClusterStreamKind, undefined, cs.metadata.name ?? '', {
      ...(cs.metadata.uid ? { uid: cs.metadata.uid } : {}),
    });
    return awaitChange();
  }
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
          `released by Stream ${claimantName(cs)}; ${what} was deleted (reclaimPolicy Delete). ` +
          `Remove spec.claimRef to provision it again`,
      },
    },
    ctx,
  );
  return awaitChange();
}

async function recordObservation(
  cs: ClusterStream,
  plan: TopicPlan,
  observation: TopicObservation,
  ctx: BrokerSettingsContext,
): Promise<void> {
  if (observation.existed && !cs.status?.topicName) {
    await ctx.event('Normal', 'TopicAdopted', `adopted the existing ${describeTopic(plan)}`);
  }
  for (const action of observation.actions) await ctx.event('Normal', action.reason, action.message);
  const before = findCondition(cs.status, 'Ready');
  for (const refusal of observation.refusals) {
    if (before?.reason !== refusal.reason || !before.message.includes(refusal.message)) {
      await ctx.event('Warning', refusal.reason, refusal.message);
    }
  }
}

function readyMessage(cs: ClusterStream, plan: TopicPlan, phase: ClusterStreamPhase): string {
  const base = `${describeTopic(plan)} is ready`;
  switch (phase) {
    case 'Bound':
      return `${base}, bound to Stream ${claimantName(cs)}`;
    case 'Released':
      return `${base}; released by Stream ${claimantName(cs)} and retained (reclaimPolicy Retain)`;
    default:
      return base;
  }
}

/** Reconciles one ClusterStream (see the module documentation for the flow). */
export async function reconcile(cs: ClusterStream, ctx: BrokerSettingsContext): Promise<ReconcileResult> {
  const phase = bindingPhase(cs.spec.claimRef, await claimantOf(cs, ctx));
  try {
    const plan = planTopic(cs, ctx.config);
    if (phase === 'Released' && cs.spec.storage.reclaimPolicy === 'Delete')
      return await reclaim(cs, plan, ctx);
    const connection = await connectionFor(plan, ctx);
    const { observation, protocolVersion } = await ensureTopic(cs, plan, connection, ctx);
    await recordObservation(cs, plan, observation, ctx);
    const endpoint = topicEndpoint(plan.protocol, connection.servers, plan.topic);
    const secret = clusterStreamSecret(cs, endpoint, connection.credentials, ctx.config.namespace);
    await ctx.kube.apply(Builtin.Secret, secret);
    const refused = observation.refusals.map((r) => r.message);
    await writeStatus(
      cs,
      {
        phase,
        ready:
          refused.length > 0
            ? { status: 'False', reason: 'NotSupported', message: refused.join('; ') }
            : { status: 'True', reason: 'TopicReady', message: readyMessage(cs, plan, phase) },
        binding: secret.metadata.name ?? '',
        storageAddress: storageAddressFor(endpoint, cs.spec.storage.attributes, protocolVersion),
        topicName: plan.topic,
        ...(observation.partitions === undefined ? {} : { partitions: observation.partitions }),
      },
      ctx,
    );
    return requeueAfter(jitter(RESYNC_MS));
  } catch (err) {
    if (err instanceof TerminalError) await recordTerminal(cs, phase, err, ctx);
    else if (phase === 'Released' && cs.spec.storage.reclaimPolicy === 'Delete') {
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
