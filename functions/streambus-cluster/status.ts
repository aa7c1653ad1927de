/**
 * @module functions/streambus-cluster/status
 * The cluster's phase and conditions, computed from its StatefulSet. Pure.
 *
 * Phases, first match wins:
 * 1. Failed: a terminal problem (invalid spec, a storage change, a StatefulSet owned by another).
 * 2. Pending: no StatefulSet yet.
 * 3. Running: every broker ready and on the latest revision, nothing left to roll out.
 * 4. Creating: no broker ready and no revision rolling; or still starting for the first time
 *    (the previous phase was none, Pending or Creating) with no revision rolling.
 * 5. Updating: a rollout is in progress: the StatefulSet controller has not observed the latest
 *    generation, a revision is rolling (currentRevision ≠ updateRevision), fewer pods are on the
 *    update revision than exist (updatedReplicas < replicas), or a scale-down is not finished; and
 *    it stays Updating until Running (the new pods of a scale-up are not a degradation).
 * 6. Degraded: some brokers ready, nothing rolling (a broker went down).
 *
 * Conditions (each with observedGeneration):
 * - Ready: True only when Running (and no warning such as a missing ServiceMonitor CRD).
 * - Progressing: True while Pending, Creating or Updating.
 * - Degraded: True when Degraded or Failed, or with a warning.
 */
import {
  conditionsOf,
  isRecord,
  setConditions,
  type ConditionInput,
  type KubeObject,
} from '../../runtime/index.js';

export const PHASES = ['Pending', 'Creating', 'Running', 'Updating', 'Degraded', 'Failed'] as const;
export type Phase = (typeof PHASES)[number];

/** The parts of a StatefulSet that the phase depends on. */
export interface StatefulSetState {
  readonly generation: number;
  readonly observedGeneration: number | undefined;
  readonly specReplicas: number;
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly updatedReplicas: number;
  readonly currentRevision: string | undefined;
  readonly updateRevision: string | undefined;
}

/** A reason (CamelCase) and a message for people. */
export interface Problem {
  readonly reason: string;
  readonly message: string;
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Reads the state of a StatefulSet returned by the API server; `undefined` when there is none. */
export function readStatefulSet(obj: KubeObject | undefined): StatefulSetState | undefined {
  if (!obj) return undefined;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  return {
    generation: num(obj.metadata.generation, 1),
    observedGeneration: typeof status.observedGeneration === 'number' ? status.observedGeneration : undefined,
    specReplicas: num(spec.replicas, 1),
    replicas: num(status.replicas),
    readyReplicas: num(status.readyReplicas),
    updatedReplicas: num(status.updatedReplicas),
    currentRevision: str(status.currentRevision),
    updateRevision: str(status.updateRevision),
  };
}

export interface PhaseInput {
  /** spec.replicas of the cluster. */
  readonly want: number;
  readonly sts: StatefulSetState | undefined;
  readonly failure?: Problem | undefined;
  /** The phase in the status before this reconcile. */
  readonly previous?: string | undefined;
}

/** Whether a revision is being rolled out. */
function revisionRolling(sts: StatefulSetState): boolean {
  return (
    sts.currentRevision !== undefined &&
    sts.updateRevision !== undefined &&
    sts.currentRevision !== sts.updateRevision
  );
}

/**
 * Whether anything is left to roll out: the controller has not observed the latest generation, a
 * revision is rolling, some existing pod is not on the update revision, or surplus pods of a
 * scale-down still exist. A pod that is merely missing (lost, or not yet created by a scale-up) is
 * not a rollout by itself: the first is a degradation, the second is covered by the generation
 * check and by Updating sticking until Running.
 */
export function rolloutPending(sts: StatefulSetState, want: number): boolean {
  return (
    sts.observedGeneration === undefined ||
    sts.observedGeneration < sts.generation ||
    revisionRolling(sts) ||
    sts.updatedReplicas < sts.replicas ||
    sts.replicas > want ||
    sts.specReplicas !== want
  );
}

/** The phase, by the rules in the module documentation. */
export function computePhase(input: PhaseInput): Phase {
  const { want, sts, failure, previous } = input;
  if (failure) return 'Failed';
  if (!sts) return 'Pending';
  const pending = rolloutPending(sts, want);
  if (sts.readyReplicas >= want && !pending) return 'Running';
  const starting = previous === undefined || previous === 'Pending' || previous === 'Creating';
  if (!revisionRolling(sts) && (sts.readyReplicas === 0 || starting)) return 'Creating';
  if (pending || previous === 'Updating') return 'Updating';
  return 'Degraded';
}

function conditionInputs(
  phase: Phase,
  input: PhaseInput,
  warning: Problem | undefined,
  generation: number | undefined,
): ConditionInput[] {
  const ready = input.sts?.readyReplicas ?? 0;
  const updated = input.sts?.updatedReplicas ?? 0;
  const counts = `${ready} of ${input.want} brokers ready`;
  const g = generation === undefined ? {} : { observedGeneration: generation };
  const c = (type: string, status: boolean, reason: string, message: string): ConditionInput => ({
    type,
    status: status ? 'True' : 'False',
    reason,
    message,
    ...g,
  });
  const byPhase: Record<Phase, [ConditionInput, ConditionInput, ConditionInput]> = {
    Failed: [
      c('Ready', false, input.failure?.reason ?? 'Failed', input.failure?.message ?? 'failed'),
      c(
        'Progressing',
        false,
        input.failure?.reason ?? 'Failed',
        'nothing is applied until the spec is fixed',
      ),
      c('Degraded', true, input.failure?.reason ?? 'Failed', input.failure?.message ?? 'failed'),
    ],
    Pending: [
      c('Ready', false, 'StatefulSetMissing', 'the broker StatefulSet does not exist yet'),
      c('Progressing', true, 'Creating', 'creating the broker StatefulSet'),
      c('Degraded', false, 'AsExpected', 'nothing has failed'),
    ],
    Creating: [
      c('Ready', false, 'BrokersStarting', counts),
      c('Progressing', true, 'Creating', counts),
      c('Degraded', false, 'AsExpected', 'nothing has failed'),
    ],
    Updating: [
      c('Ready', false, 'RollingUpdate', `${updated} of ${input.want} brokers updated, ${counts}`),
      c('Progressing', true, 'RollingUpdate', `${updated} of ${input.want} brokers updated, ${counts}`),
      c('Degraded', false, 'AsExpected', 'nothing has failed'),
    ],
    Degraded: [
      c('Ready', false, 'BrokersNotReady', counts),
      c('Progressing', false, 'RolloutComplete', 'every broker runs the latest revision'),
      c('Degraded', true, 'BrokersNotReady', counts),
    ],
    Running: [
      c('Ready', true, 'ClusterReady', counts),
      c('Progressing', false, 'RolloutComplete', 'every broker runs the latest revision'),
      c('Degraded', false, 'AsExpected', 'nothing has failed'),
    ],
  };
  const [readyC, progressing, degraded] = byPhase[phase];
  if (!warning || phase === 'Failed') return [readyC, progressing, degraded];
  return [
    c('Ready', false, warning.reason, warning.message),
    progressing,
    c('Degraded', true, warning.reason, warning.message),
  ];
}

export interface StatusInput extends PhaseInput {
  readonly generation: number | undefined;
  /** The per-broker addresses for the spec (kept from the previous status when Failed). */
  readonly endpoints: readonly string[];
  /** A problem that leaves the brokers running but the spec not fully honoured. */
  readonly warning?: Problem | undefined;
}

export interface ClusterStatus {
  readonly phase: Phase;
  /** The whole `status` to write. */
  readonly status: Record<string, unknown>;
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
}

/**
 * The status to write, given the previous one (whose condition transition times are kept when a
 * condition's status does not change, so an unchanged cluster gets an identical status).
 */
export function clusterStatus(
  input: StatusInput,
  previous: Record<string, unknown>,
  now: Date,
): ClusterStatus {
  const phase = computePhase(input);
  const prevConditions = conditionsOf(previous);
  const conditions = setConditions(
    prevConditions,
    conditionInputs(phase, input, input.warning, input.generation),
    now,
  );
  const failed = phase === 'Failed';
  const endpoints = failed ? (stringArray(previous.endpoints) ?? [...input.endpoints]) : [...input.endpoints];
  const status: Record<string, unknown> = {
    phase,
    replicas: input.sts?.replicas ?? num(previous.replicas),
    readyReplicas: input.sts?.readyReplicas ?? num(previous.readyReplicas),
    ...(input.generation === undefined ? {} : { observedGeneration: input.generation }),
    endpoints,
    conditions,
  };
  return { phase, status };
}
