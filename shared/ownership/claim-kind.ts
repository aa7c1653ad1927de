/**
 * @module ownership/claim-kind
 * The BrokerClaim (`sluice.io/v1alpha1`, cluster-scoped): the record, in the API server, of which
 * Kubernetes object owns one object on a broker (a Kafka topic, a JetStream stream). Its name is
 * derived from the broker object alone (see `broker-object.ts`), so two objects that want the same
 * topic race for one name, and the API server lets exactly one POST create it: the other gets 409.
 *
 * A claim is never reconciled: it is written by the holder's reconciler (created, marked adopted,
 * deleted) and read by every object that wants the same broker object. Light on purpose (types
 * only), so that the dispatcher can load it for its watch.
 */
import type { ResourceType } from '../../runtime/kube/resources.js';
import type { KubeObject } from '../../runtime/kube/types.js';
import { isRecord } from '../../runtime/util.js';

/** The resource type of BrokerClaims. */
export const BrokerClaimType: ResourceType = {
  group: 'sluice.io',
  version: 'v1alpha1',
  kind: 'BrokerClaim',
  plural: 'brokerclaims',
  namespaced: false,
};

/** The protocols whose broker objects are claimed. */
export type ClaimProtocol = 'kafka' | 'nats' | 'rabbitmq';

/** The Kubernetes object that holds a claim. */
export interface ClaimHolder {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid: string;
}

/** What a claim records. */
export interface BrokerClaimSpec {
  readonly protocol: ClaimProtocol;
  /** The broker's identity (`kafka:<cluster id>`, `nats:<host:port,...>`). */
  readonly broker: string;
  /** The topic (Kafka) or JetStream stream (NATS) name. */
  readonly object: string;
  readonly holder: ClaimHolder;
  /**
   * The broker object existed when the holder claimed it (someone else made it): deleting the
   * holder does not delete it unless `sluice.io/delete-adopted: "true"` is set.
   */
  readonly adopted: boolean;
}

export interface BrokerClaim extends KubeObject {
  readonly spec: BrokerClaimSpec;
}

function holderOf(raw: unknown): ClaimHolder | undefined {
  if (!isRecord(raw)) return undefined;
  const { apiVersion, kind, namespace, name, uid } = raw;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  if (typeof name !== 'string' || typeof uid !== 'string') return undefined;
  return {
    apiVersion,
    kind,
    name,
    uid,
    ...(typeof namespace === 'string' && namespace ? { namespace } : {}),
  };
}

/** Narrows an object read from the API server; `undefined` when it is not a well-formed claim. */
export function asBrokerClaim(obj: KubeObject): BrokerClaim | undefined {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  const holder = holderOf(spec?.holder);
  if (!spec || !holder) return undefined;
  const { protocol, broker, object, adopted } = spec;
  if (protocol !== 'kafka' && protocol !== 'nats' && protocol !== 'rabbitmq') return undefined;
  if (typeof broker !== 'string' || typeof object !== 'string') return undefined;
  return { ...obj, spec: { protocol, broker, object, holder, adopted: adopted === true } };
}

/** `ClusterStream orders`, `Stream.tawon.mantisnet.com team/clicks`: a holder for messages. */
export function holderText(h: ClaimHolder): string {
  const group = h.apiVersion.includes('/') ? h.apiVersion.slice(0, h.apiVersion.indexOf('/')) : '';
  const kind = h.kind === 'Stream' && group ? `Stream.${group}` : h.kind;
  return `${kind} ${h.namespace ? `${h.namespace}/` : ''}${h.name}`;
}
