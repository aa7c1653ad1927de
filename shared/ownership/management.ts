/**
 * @module ownership/management
 * The annotations with which a user takes Sluice's hands off a broker object, and the `Managed`
 * condition that says which mode applies. Pure.
 *
 * - `sluice.io/management`: `managed` (the default) — Sluice creates the broker object, keeps its
 *   settings in line with the spec and deletes it as the spec says; `read-only` — Sluice still
 *   claims the object and reports where it differs from the spec (Event `DriftDetected`, the
 *   `Managed` condition), but creates, changes and deletes nothing on the broker; `unmanaged` —
 *   Sluice lets go: it releases the claim, never touches or deletes the broker object, and removes
 *   its finalizer. (NACK's `preventUpdate`+`preventDelete` is `read-only`; Strimzi's
 *   `strimzi.io/managed: "false"` is `unmanaged`.)
 * - `sluice.io/ignore-settings`: settings (comma-separated) that others manage, for example
 *   Cruise Control's `leader.replication.throttled.replicas`: Sluice sets them only when it creates
 *   the broker object, and afterwards neither compares, heals nor resets them.
 * - `sluice.io/delete-adopted`: `"true"` lets a deletion (or a release with `reclaimPolicy:
 *   Delete`) delete a broker object that existed before this object claimed it. Without it an
 *   adopted broker object is kept.
 *
 * A value Sluice cannot read is refused (TerminalError `InvalidAnnotation`) rather than guessed:
 * the object then changes nothing until the annotation is fixed.
 */
import { TerminalError } from '../../runtime/errors.js';
import type { ConditionInput } from '../../runtime/kube/conditions.js';
import type { KubeObject } from '../../runtime/kube/types.js';
import { describeChanges, type SettingChange } from './drift.js';

export const MANAGEMENT_ANNOTATION = 'sluice.io/management';
export const IGNORE_SETTINGS_ANNOTATION = 'sluice.io/ignore-settings';
export const DELETE_ADOPTED_ANNOTATION = 'sluice.io/delete-adopted';

export const MANAGEMENT_MODES = ['managed', 'read-only', 'unmanaged'] as const;
export type ManagementMode = (typeof MANAGEMENT_MODES)[number];

/** What the annotations of one object ask. */
export interface Management {
  readonly mode: ManagementMode;
  /** Settings Sluice leaves alone once the broker object exists. */
  readonly ignored: ReadonlySet<string>;
  /** Delete an adopted broker object too. */
  readonly deleteAdopted: boolean;
}

function invalid(annotation: string, problem: string): TerminalError {
  return new TerminalError('InvalidAnnotation', `annotation ${annotation} ${problem}`);
}

/**
 * Reads the annotations of `obj`.
 * @param settings the settings that may be ignored; any name is accepted when absent (Kafka).
 * @throws TerminalError `InvalidAnnotation` naming the annotation and what is wrong with it.
 */
export function managementOf(obj: KubeObject, settings?: readonly string[]): Management {
  const annotations = obj.metadata.annotations ?? {};
  const rawMode = annotations[MANAGEMENT_ANNOTATION]?.trim() ?? 'managed';
  const mode = MANAGEMENT_MODES.find((m) => m === rawMode);
  if (!mode) {
    throw invalid(
      MANAGEMENT_ANNOTATION,
      `is ${JSON.stringify(rawMode)}: use one of ${MANAGEMENT_MODES.join(', ')}`,
    );
  }
  const ignored = (annotations[IGNORE_SETTINGS_ANNOTATION] ?? '').split(/[\s,]+/).filter(Boolean);
  const unknown = settings ? ignored.filter((s) => !settings.includes(s)) : [];
  if (unknown.length > 0) {
    throw invalid(
      IGNORE_SETTINGS_ANNOTATION,
      `names ${unknown.join(', ')}, which Sluice does not manage here (it manages ${settings?.join(', ') ?? ''})`,
    );
  }
  const rawDelete = annotations[DELETE_ADOPTED_ANNOTATION]?.trim() ?? 'false';
  if (rawDelete !== 'true' && rawDelete !== 'false') {
    throw invalid(DELETE_ADOPTED_ANNOTATION, `is ${JSON.stringify(rawDelete)}: use "true" or "false"`);
  }
  return { mode, ignored: new Set(ignored.sort()), deleteAdopted: rawDelete === 'true' };
}

/** The `Managed` condition: True in managed mode; False with reason ReadOnly or Unmanaged otherwise. */
export function managedCondition(
  mode: ManagementMode,
  what: string,
  drift: readonly SettingChange[],
  observedGeneration: number | undefined,
): ConditionInput {
  const generation = observedGeneration === undefined ? {} : { observedGeneration };
  switch (mode) {
    case 'managed':
      return {
        type: 'Managed',
        status: 'True',
        reason: 'Managed',
        message: `Sluice keeps ${what} in line with the spec`,
        ...generation,
      };
    case 'read-only':
      return {
        type: 'Managed',
        status: 'False',
        reason: 'ReadOnly',
        message:
          `${MANAGEMENT_ANNOTATION} is read-only: Sluice changes nothing on ${what} and reports how it ` +
          `differs from the spec; ${drift.length === 0 ? 'it matches the spec' : `it differs: ${describeChanges(drift)}`}`,
        ...generation,
      };
    case 'unmanaged':
      return {
        type: 'Managed',
        status: 'False',
        reason: 'Unmanaged',
        message:
          `${MANAGEMENT_ANNOTATION} is unmanaged: Sluice has let go of ${what}; ` +
          `it neither changes nor deletes it`,
        ...generation,
      };
  }
}

/**
 * Whether `obj` is in the mode that lets go of its broker object: Sluice keeps no finalizer on it
 * and never deletes what it held. Reads metadata only (it runs before the spec is parsed).
 */
export function isUnmanaged(obj: KubeObject): boolean {
  return obj.metadata.annotations?.[MANAGEMENT_ANNOTATION]?.trim() === 'unmanaged';
}
