/**
 * @module functions/cluster-stream/ownership
 * Which broker object a ClusterStream wants and whether it owns it (the rule is in
 * `shared/ownership/claims.ts`): the topic on the Kafka cluster it reaches (by cluster id), the
 * JetStream stream on the NATS servers it names, or the exchange on the RabbitMQ cluster and
 * virtual host it reaches (by cluster name). A ClusterStream that does not own its topic says
 * so (`Ready=False`, reason `ResourceConflict`, naming the owner) and changes nothing on the broker.
 */
import {
  findCondition,
  jitter,
  requeueAfter,
  type KubeObject,
  type ReconcileResult,
} from '../../runtime/index.js';
import {
  ClaimSession,
  ClusterStreamKind,
  claimNameOf,
  claimStatusOf,
  holderOf,
  holderText,
  jetStreamObject,
  kafkaTopicObject,
  managedCondition,
  rabbitExchangeObject,
  type BrokerObject,
  type ClaimStatus,
  type Management,
  type Ownership,
  type BrokerSettingsDriftContext,
} from '../../shared/index.js';
import type { ClusterStream, ClusterStreamPhase } from '../../shared/index.js';
import type { BrokerConnection } from './broker.js';
import type { TopicPlan } from './spec.js';
import { clusterStreamStatus } from './desired.js';

/** How often a ClusterStream that waits for a topic looks again (besides the claim's deletion). */
export const WAIT_MS = 5 * 60_000;

/**
 * The broker object of `plan`: for Kafka this asks the cluster for its id (once per pooled client).
 * @throws what the admin client throws when the cluster cannot be reached.
 */
export async function brokerObjectOf(
  plan: TopicPlan,
  connection: BrokerConnection,
  ctx: BrokerSettingsDriftContext,
): Promise<BrokerObject> {
  if (plan.protocol === 'nats') return jetStreamObject(connection.servers, plan.stream);
  if (plan.protocol === 'rabbitmq') {
    const admin = ctx.brokers.rabbitmq(connection.servers, connection.credentials);
    return rabbitExchangeObject(await admin.clusterName(), admin.vhost, plan.topic);
  }
  const clusterId = await ctx.brokers.kafka(connection.servers, connection.credentials).clusterId();
  return kafkaTopicObject(clusterId, plan.topic);
}

/** The claim session of one pass: believed when the status says this ClusterStream owns the topic. */
export function claimSessionFor(
  cs: ClusterStream,
  plan: TopicPlan,
  object: BrokerObject,
  ctx: BrokerSettingsDriftContext,
): ClaimSession {
  const claim = claimStatusOf(cs.status);
  const usedBefore = cs.status?.topicName === plan.topic;
  return new ClaimSession(ctx.kube, object, holderOf(ClusterStreamKind, cs), {
    believed: claim?.owner === true && claim.name === claimNameOf(object) && usedBefore,
    usedBefore,
  });
}

/** `status.claim` of the owner. */
export function ownerClaimStatus(cs: KubeObject, object: BrokerObject): ClaimStatus {
  return { name: claimNameOf(object), owner: true, holder: holderText(holderOf(ClusterStreamKind, cs)) };
}

/**
 * Reports that another object owns the topic and waits: `Ready=False` `ResourceConflict`, no
 * binding or address (the topic is not this ClusterStream's), `status.claim` naming the claim so
 * that the claim's deletion reconciles this one at once. A Warning Event when the conflict is new.
 */
export async function yieldTopic(
  cs: ClusterStream,
  phase: ClusterStreamPhase,
  object: BrokerObject,
  conflict: Extract<Ownership, { kind: 'conflict' }>,
  management: Management,
  ctx: BrokerSettingsDriftContext,
): Promise<ReconcileResult> {
  const owner = conflict.holder ? holderText(conflict.holder) : `an unreadable BrokerClaim`;
  const message =
    `${object.what} is owned by ${owner} (BrokerClaim ${conflict.name}): this ClusterStream changes ` +
    `nothing on the broker and takes the topic over once ${owner} lets go of it`;
  const before = findCondition(cs.status, 'Ready');
  const status = clusterStreamStatus(
    cs,
    {
      phase,
      ready: { status: 'False', reason: 'ResourceConflict', message },
      managed: managedCondition(management.mode, object.what, [], cs.metadata.generation),
      claim: { name: conflict.name, owner: false, holder: owner },
    },
    ctx.clock.now(),
  );
  await ctx.kube.writeStatus(ClusterStreamKind, cs, status);
  if (before?.reason !== 'ResourceConflict' || before.message !== message) {
    await ctx.event('Warning', 'ResourceConflict', message);
  }
  return requeueAfter(jitter(WAIT_MS));
}
