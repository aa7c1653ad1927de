/**
 * @module functions/tanzu-stream/desired
 * Pure decisions of the Stream reconciler: which ClusterStream it wants, the ClusterStream it
 * provisions when there is none, whether an existing one fits it, its binding Secret and status.
 */
import {
  TerminalError,
  apiVersionOf,
  conditionsOf,
  controllerRef,
  deepEqual,
  managedLabels,
  namespacedName,
  setCondition,
  type ConditionStatus,
  type KubeObject,
} from '../../runtime/index.js';
import {
  ClusterStreamKind,
  SUPPORTED_PROTOCOLS,
  TanzuStreamKind,
  defaultBrokerOf,
  type OperatorSettings,
} from '../../shared/index.js';
import {
  AUTO_PROVISIONED_LABEL,
  BINDING_NAMESPACE_ANNOTATION,
  bindingSecret,
  decodeSecretData,
  defaultClusterStreamName,
  isSupportedProtocol,
  labelValue,
  PROVISIONED_FOR_ANNOTATION,
  streamBindingName,
  type BoundClaimRef,
  type ClusterStream,
} from '../../shared/index.js';
import { dataSchemaJson } from './data-schema.js';
import { protocolOf, type Stream, type StreamStatus } from './spec.js';

/** The ClusterStream a Stream binds to: `spec.storage.clusterStream`, else `<name>-cluster-stream`. */
export function clusterStreamNameOf(stream: Stream): string {
  return stream.spec.storage?.clusterStream?.trim() || defaultClusterStreamName(stream.metadata.name ?? '');
}

/** Whether `cs` was provisioned by (and for) `stream`. */
export function isProvisionedFor(cs: KubeObject, stream: Stream): boolean {
  return (
    cs.metadata.labels?.[AUTO_PROVISIONED_LABEL] === 'true' &&
    cs.metadata.annotations?.[PROVISIONED_FOR_ANNOTATION] ===
      namespacedName(stream.metadata.namespace, stream.metadata.name ?? '')
  );
}

/** Whether the Stream's protocol has partitions (Kafka topics, RabbitMQ super streams). */
function partitioned(stream: Stream): boolean {
  const protocol = protocolOf(stream);
  return protocol === 'kafka' || protocol === 'rabbitmq';
}

/**
 * The spec fields of an auto-provisioned ClusterStream that follow its Stream: `keys`,
 * `streamModes`, `partitions` (Kafka, RabbitMQ) and `storage.attributes`. Empty lists and maps are explicit
 * so that a value removed from the Stream is removed from the ClusterStream too.
 */
export function derivedSpec(stream: Stream): Record<string, unknown> {
  return {
    keys: stream.spec.keys ?? [],
    streamModes: stream.spec.streamMode ?? [],
    ...(partitioned(stream) ? { partitions: stream.spec.partitionCount ?? 1 } : {}),
    storage: { attributes: stream.spec.attributes ?? {} },
  };
}

/** Whether the ClusterStream already has every derived field as the Stream says. */
export function hasDerivedSpec(cs: ClusterStream, stream: Stream): boolean {
  const want = derivedSpec(stream);
  return (
    deepEqual(cs.spec.keys ?? [], want.keys) &&
    deepEqual(cs.spec.streamModes ?? [], want.streamModes) &&
    (want.partitions === undefined || cs.spec.partitions === want.partitions) &&
    deepEqual(cs.spec.storage.attributes ?? {}, stream.spec.attributes ?? {})
  );
}

/** The apply patch that brings an auto-provisioned ClusterStream's derived fields to the Stream's. */
export function derivedPatch(csName: string, stream: Stream): KubeObject {
  return {
    apiVersion: apiVersionOf(ClusterStreamKind),
    kind: ClusterStreamKind.kind,
    metadata: { name: csName },
    spec: derivedSpec(stream),
  };
}

/**
 * The ClusterStream a Stream provisions for itself, already claimed by it, with `reclaimPolicy:
 * Delete` (as a dynamically provisioned PersistentVolume: deleting the Stream deletes the topic
 * and this ClusterStream): on the broker of the Stream's own `binding` (a Secret of its namespace,
 * recorded in `sluice.io/binding-namespace`), else on the operator's default broker.
 * @throws TerminalError `ProtocolNotSupported` for a protocol Sluice cannot provision;
 *   `NoClusterStreamFound` when the Stream names no binding and the operator has no default broker.
 */
export function autoProvisionedClusterStream(
  stream: Stream,
  claimRef: BoundClaimRef,
  config: Pick<
    OperatorSettings,
    'kafkaBrokers' | 'kafkaBinding' | 'natsUrl' | 'natsBinding' | 'rabbitmqUrl' | 'rabbitmqBinding'
  >,
): KubeObject {
  const protocol = protocolOf(stream);
  const csName = clusterStreamNameOf(stream);
  if (!isSupportedProtocol(protocol)) {
    throw new TerminalError(
      'ProtocolNotSupported',
      `ClusterStream ${csName} does not exist and cannot be provisioned: protocol ${JSON.stringify(stream.spec.protocol)} is not supported (${SUPPORTED_PROTOCOLS.join(', ')})`,
    );
  }
  // The Stream's own binding is a Secret of its namespace (as a Pod names one) and says where the
  // broker is: the ClusterStream's url stays empty, so its servers come from that Secret (else
  // from the operator's default broker). Without one, the operator's default broker and binding.
  const own = stream.spec.binding?.trim();
  const broker = defaultBrokerOf(config, protocol);
  const url = own ? '' : broker.servers.join(',');
  if (!own && !url) {
    const variable = broker.variable;
    throw new TerminalError(
      'NoClusterStreamFound',
      `ClusterStream ${csName} does not exist and the operator has no default ${protocol} broker (${variable}) to provision it on`,
    );
  }
  const binding = own || broker.binding;
  const derived = derivedSpec(stream);
  return {
    apiVersion: apiVersionOf(ClusterStreamKind),
    kind: ClusterStreamKind.kind,
    metadata: {
      name: csName,
      labels: {
        ...managedLabels('clusterstream', labelValue(csName), 'auto-provisioned'),
        [AUTO_PROVISIONED_LABEL]: 'true',
      },
      annotations: {
        [PROVISIONED_FOR_ANNOTATION]: namespacedName(claimRef.namespace, claimRef.name),
        ...(own ? { [BINDING_NAMESPACE_ANNOTATION]: claimRef.namespace } : {}),
      },
    },
    spec: {
      name: stream.spec.name,
      ...derived,
      storage: {
        server: { url, protocol, ...(binding ? { binding } : {}) },
        attributes: stream.spec.attributes ?? {},
        reclaimPolicy: 'Delete',
      },
      claimRef,
    },
  };
}

/** Why a ClusterStream does not fit a Stream. */
export interface Misfit {
  readonly reason: 'ProtocolMismatch' | 'StreamModeNotAllowed' | 'ClusterStreamMismatch';
  readonly message: string;
}

/**
 * Checks a ClusterStream against what the Stream asks, as a claim is checked against a volume:
 * the protocol, the stream modes, then the topic name, keys, partitions, attributes and binding.
 * @returns the first kind of misfit (every difference of that kind in the message), or `undefined`.
 */
export function misfit(stream: Stream, cs: ClusterStream): Misfit | undefined {
  const csName = cs.metadata.name ?? '';
  const theirs = (cs.spec.storage.server?.protocol ?? '').trim().toLowerCase();
  if (theirs !== protocolOf(stream)) {
    return {
      reason: 'ProtocolMismatch',
      message: `the Stream asks for protocol ${stream.spec.protocol} but ClusterStream ${csName} is ${theirs || 'without a protocol'}`,
    };
  }
  const allowed = cs.spec.streamModes ?? [];
  const refused = (stream.spec.streamMode ?? []).filter((m) => allowed.length > 0 && !allowed.includes(m));
  if (refused.length > 0) {
    return {
      reason: 'StreamModeNotAllowed',
      message: `ClusterStream ${csName} allows stream modes ${allowed.join(', ')}, not ${refused.join(', ')}`,
    };
  }
  const diffs: string[] = [];
  if (cs.spec.name !== stream.spec.name) diffs.push(`topic ${stream.spec.name} (it has ${cs.spec.name})`);
  const keys = stream.spec.keys ?? [];
  if (keys.length > 0 && (cs.spec.keys ?? []).length > 0 && !deepEqual(keys, cs.spec.keys)) {
    diffs.push(`keys ${keys.join(',')} (it has ${(cs.spec.keys ?? []).join(',')})`);
  }
  const wanted = stream.spec.partitionCount;
  if (wanted !== undefined && partitioned(stream) && cs.spec.partitions < wanted) {
    diffs.push(`${wanted} partitions (it has ${cs.spec.partitions})`);
  }
  const attrs = cs.spec.storage.attributes ?? {};
  for (const [key, value] of Object.entries(stream.spec.attributes ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (attrs[key] !== value) diffs.push(`attribute ${key}=${value} (it has ${attrs[key] ?? 'none'})`);
  }
  const binding = stream.spec.binding?.trim();
  if (binding && (cs.spec.storage.server?.binding ?? '') !== binding) {
    diffs.push(`binding ${binding} (it has ${cs.spec.storage.server?.binding ?? 'none'})`);
  }
  return diffs.length > 0
    ? {
        reason: 'ClusterStreamMismatch',
        message: `ClusterStream ${csName} does not fit the Stream, which asks for ${diffs.join('; ')}`,
      }
    : undefined;
}

/**
 * The Stream's own binding Secret: the ClusterStream's entries, plus the Stream's partition key
 * (`keys`, comma-separated, or `keyExpression`) and `dataSchemaContext` (JSON), owned by the
 * Stream so that it goes with it.
 */
export function streamSecret(stream: Stream, source: KubeObject): KubeObject {
  const entries: Record<string, string> = { ...decodeSecretData(source) };
  const keys = stream.spec.keys ?? [];
  if (keys.length > 0) entries.keys = keys.join(',');
  if (stream.spec.keyExpression !== undefined) {
    delete entries.keys;
    entries.keyExpression = stream.spec.keyExpression;
  }
  if (stream.spec.dataSchemaContext !== undefined) {
    entries.dataSchemaContext = dataSchemaJson(stream.spec.dataSchemaContext);
  }
  const sourceType = (source as { type?: unknown }).type;
  const type =
    typeof sourceType === 'string' && sourceType.startsWith('servicebinding.io/')
      ? sourceType.slice('servicebinding.io/'.length)
      : protocolOf(stream);
  return bindingSecret({
    name: streamBindingName(stream.metadata.name ?? ''),
    namespace: stream.metadata.namespace ?? '',
    type,
    entries,
    labels: managedLabels('stream', labelValue(stream.metadata.name ?? ''), 'binding'),
    owner: controllerRef(TanzuStreamKind, stream),
  });
}

/** What one reconcile of a Stream found. */
export interface StreamStatusInput {
  readonly clusterStream: string;
  readonly ready: { readonly status: ConditionStatus; readonly reason: string; readonly message: string };
  /** Set when bound; otherwise the last binding and address are kept. */
  readonly bound?: { readonly binding: string; readonly storageAddress: unknown };
}

/** The Stream's status: the Ready condition at this generation, the binding when there is one. */
export function streamStatus(stream: Stream, input: StreamStatusInput, now: Date): StreamStatus {
  const generation = stream.metadata.generation;
  const previous = stream.status;
  const binding = input.bound ? { name: input.bound.binding } : previous?.binding;
  const storageAddress = input.bound ? input.bound.storageAddress : previous?.storageAddress;
  return {
    clusterStream: input.clusterStream,
    ...(binding === undefined ? {} : { binding }),
    ...(storageAddress === undefined ? {} : { storageAddress }),
    conditions: setCondition(
      conditionsOf(previous),
      {
        type: 'Ready',
        ...input.ready,
        ...(generation === undefined ? {} : { observedGeneration: generation }),
      },
      now,
    ),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}
