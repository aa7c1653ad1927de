/**
 * @module ownership/drift
 * Drift: a broker object that differs from its spec although the spec did not change since the
 * last pass, because someone changed it behind Sluice's back (the Kafka CLI, `nats stream edit`).
 * Every drift found is recorded twice: a Warning Event giving each setting's value before and
 * after (`DriftCorrected` when healed, `DriftDetected` in read-only mode), and the counter
 * `sluice_drift_total{kind,setting}`.
 */
import type { DriftContext } from '../context.js';

/** One setting where the broker and the spec differ. Values are as the broker shows them. */
export interface SettingChange {
  readonly setting: string;
  /** The value on the broker; `(default)` when it has none of its own. */
  readonly broker: string;
  /** The value the spec asks for; `(default)` when the spec leaves it to the broker. */
  readonly spec: string;
}

/** The text of a value that is not set. */
export const DEFAULT_VALUE = '(default)';

/** `retention.ms 1000 → 3600000, max.message.bytes 2000 → (default)` */
export function describeChanges(changes: readonly SettingChange[]): string {
  return changes.map((c) => `${c.setting} ${c.broker} → ${c.spec}`).join(', ');
}

/**
 * Records drift found on `what`: counts each setting and writes one Warning Event.
 * @param healed whether the pass put the settings back (managed) or left them (read-only).
 */
export async function recordDrift(
  ctx: DriftContext,
  what: string,
  changes: readonly SettingChange[],
  healed: boolean,
): Promise<void> {
  if (changes.length === 0) return;
  for (const c of changes) ctx.metrics.drift.inc({ kind: ctx.kind.kind, setting: c.setting });
  await ctx.event(
    'Warning',
    healed ? 'DriftCorrected' : 'DriftDetected',
    healed
      ? `${what} was changed outside Sluice; put back (broker → spec): ${describeChanges(changes)}`
      : `${what} differs from the spec and is left as it is (read-only) (broker → spec): ${describeChanges(changes)}`,
  );
}
