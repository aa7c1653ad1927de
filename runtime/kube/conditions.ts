/**
 * @module runtime/kube/conditions
 * Pure helpers for status conditions in the Kubernetes shape. A condition's `lastTransitionTime`
 * changes only when its `status` changes, so rewriting an unchanged condition is a no-op.
 */
import type { Condition } from './types.js';

export type ConditionStatus = Condition['status'];

/** What a reconciler says about one condition; the time is filled in by {@link setCondition}. */
export interface ConditionInput {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
}

/** Reads `status.conditions` from an unknown status, keeping only well-formed entries. */
export function conditionsOf(status: unknown): Condition[] {
  const raw = (status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (c): c is Condition =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as Condition).type === 'string' &&
      ['True', 'False', 'Unknown'].includes((c as Condition).status),
  );
}

/** Returns `conditions` with `input` set, keeping the transition time when the status is unchanged. */
export function setCondition(
  conditions: readonly Condition[],
  input: ConditionInput,
  now: Date,
): Condition[] {
  const previous = conditions.find((c) => c.type === input.type);
  const lastTransitionTime =
    previous && previous.status === input.status && previous.lastTransitionTime
      ? previous.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime,
    ...(input.observedGeneration === undefined ? {} : { observedGeneration: input.observedGeneration }),
  };
  const others = conditions.filter((c) => c.type !== input.type);
  return [...others, next].sort((a, b) => a.type.localeCompare(b.type));
}

/** Sets several conditions at once. */
export function setConditions(
  conditions: readonly Condition[],
  inputs: readonly ConditionInput[],
  now: Date,
): Condition[] {
  return inputs.reduce<Condition[]>((acc, c) => setCondition(acc, c, now), [...conditions]);
}

export function findCondition(status: unknown, type: string): Condition | undefined {
  return conditionsOf(status).find((c) => c.type === type);
}

export function isConditionTrue(status: unknown, type: string): boolean {
  return findCondition(status, type)?.status === 'True';
}
