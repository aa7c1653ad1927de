/**
 * @module functions/stream-store/status
 * A StreamStore's status, computed purely from its StatefulSet and the Streams it hosts.
 *
 * Phases (the StreamBus vocabulary):
 * - `Pending`: the StatefulSet does not exist yet;
 * - `Creating`: no replica is ready yet;
 * - `Updating`: some replicas run an older revision (a configuration or image change rolls them);
 * - `Degraded`: some, not all, replicas are ready;
 * - `Running`: every replica is ready and current.
 * Condition `Ready` is `True` exactly in `Running`, with the phase as its reason otherwise.
 */
import {
  conditionsOf,
  isRecord,
  setCondition,
  type Condition,
  type KubeObject,
} from '../../runtime/index.js';
import { storeEndpoint } from './nats-conf.js';
import type { StreamStore } from './spec.js';

export type StorePhase = 'Pending' | 'Creating' | 'Updating' | 'Degraded' | 'Running';

export interface StreamStoreStatus {
  readonly phase: StorePhase;
  readonly conditions: Condition[];
  /** `nats://<name>.<ns>.svc:4222` */
  readonly endpoint: string;
  readonly readyReplicas: number;
  /** How many Tawon Streams name this store in `spec.store.name`. */
  readonly streams: number;
  readonly observedGeneration: number;
}

interface SetStatus {
  readonly ready: number;
  readonly updated: number;
  readonly current: boolean;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function readSetStatus(sts: KubeObject): SetStatus {
  const s = isRecord(sts.status) ? sts.status : {};
  const observed = num(s.observedGeneration);
  const generation = sts.metadata.generation ?? 0;
  const revisionsMatch =
    s.updateRevision === undefined ||
    s.currentRevision === undefined ||
    s.updateRevision === s.currentRevision;
  return {
    ready: num(s.readyReplicas),
    updated: num(s.updatedReplicas),
    current: observed >= generation && revisionsMatch,
  };
}

/** The phase of a store that wants `replicas` replicas, given its StatefulSet (if any). */
export function storePhase(replicas: number, sts: KubeObject | undefined): StorePhase {
  if (!sts) return 'Pending';
  const s = readSetStatus(sts);
  if (s.ready === 0) return 'Creating';
  if (!s.current || s.updated < replicas) return 'Updating';
  if (s.ready < replicas) return 'Degraded';
  return 'Running';
}

const PHASE_MESSAGE: Readonly<Record<StorePhase, (ready: number, want: number) => string>> = {
  Pending: () => 'the StatefulSet is being created',
  Creating: (_r, w) => `waiting for the first of ${w} nats-server replicas to be ready`,
  Updating: (r, w) => `rolling out a new revision, ${r}/${w} replicas ready`,
  Degraded: (r, w) => `${r}/${w} nats-server replicas ready`,
  Running: (r, w) => `${r}/${w} nats-server replicas ready`,
};

/** The status to write; conditions keep their transition times when unchanged. */
export function desiredStatus(
  store: StreamStore,
  sts: KubeObject | undefined,
  streamCount: number,
  now: Date,
): StreamStoreStatus {
  const replicas = store.spec.replicas;
  const phase = storePhase(replicas, sts);
  const readyReplicas = sts ? readSetStatus(sts).ready : 0;
  const generation = store.metadata.generation ?? 0;
  const conditions = setCondition(
    conditionsOf(store.status),
    {
      type: 'Ready',
      status: phase === 'Running' ? 'True' : 'False',
      reason: phase,
      message: PHASE_MESSAGE[phase](readyReplicas, replicas),
      observedGeneration: generation,
    },
    now,
  );
  return {
    phase,
    conditions,
    endpoint: storeEndpoint(store.metadata.name ?? '', store.metadata.namespace ?? ''),
    readyReplicas,
    streams: streamCount,
    observedGeneration: generation,
  };
}
