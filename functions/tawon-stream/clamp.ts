/**
 * @module functions/tawon-stream/clamp
 * How a Stream says that its store's hard limits overrode what it asked for (pure).
 *
 * Guarantees:
 * - `status.clamped` lists each clamped limit (`field`, `asked`, `applied`, as written), in the
 *   order maxmsgs, maxage, maxbytes; it is empty when nothing was clamped;
 * - the `LimitsClamped` condition is True (`StoreLimitApplied`, naming every clamped value) or
 *   False (`WithinStoreLimits`); it never makes the Stream not Ready;
 * - the Warning Event `LimitClamped` is due only when the clamped list differs from the one the
 *   status held (a new clamp, or another value), so a resync of a clamped Stream stays quiet.
 */
import { isRecord, type ConditionInput } from '../../runtime/index.js';
import type { ClampedLimit } from '../../shared/index.js';

/** The condition type. */
export const LIMITS_CLAMPED = 'LimitsClamped';
/** Its reason when a hard limit was applied in place of a request. */
export const STORE_LIMIT_APPLIED = 'StoreLimitApplied';
/** Its reason when every request is within the store's hard limits. */
export const WITHIN_STORE_LIMITS = 'WithinStoreLimits';
/** The Warning Event's reason. */
export const LIMIT_CLAMPED_EVENT = 'LimitClamped';

/** One entry of `status.clamped`. */
export interface ClampedStatus {
  readonly field: string;
  readonly asked: string;
  readonly applied: string;
}

/** The clamped limits as the status shows them. */
export function clampedStatus(clamped: readonly ClampedLimit[]): ClampedStatus[] {
  return clamped.map((c) => ({ field: c.name, asked: c.asked.text, applied: c.applied.text }));
}

/** The sentence naming every clamped value, e.g. `maxage 3000h clamped to 2400h`. */
export function clampSentence(clamped: readonly ClampedStatus[], store: string): string {
  const each = clamped.map((c) => `${c.field} ${c.asked} clamped to ${c.applied}`).join(', ');
  return `${each}: the hard limits of StreamStore ${store} override the Stream's`;
}

/** The `LimitsClamped` condition (without its generation). */
export function clampCondition(clamped: readonly ClampedStatus[], store: string): ConditionInput {
  return clamped.length > 0
    ? {
        type: LIMITS_CLAMPED,
        status: 'True',
        reason: STORE_LIMIT_APPLIED,
        message: clampSentence(clamped, store),
      }
    : {
        type: LIMITS_CLAMPED,
        status: 'False',
        reason: WITHIN_STORE_LIMITS,
        message: `every limit asked is within the hard limits of StreamStore ${store}`,
      };
}

/** `status.clamped` as the object holds it (entries of another shape are left out). */
export function previousClamped(status: unknown): ClampedStatus[] {
  const list = isRecord(status) && Array.isArray(status.clamped) ? status.clamped : [];
  return list.flatMap((c) =>
    isRecord(c) && typeof c.field === 'string' && typeof c.asked === 'string' && typeof c.applied === 'string'
      ? [{ field: c.field, asked: c.asked, applied: c.applied }]
      : [],
  );
}

/** Whether the Warning Event is due: something is clamped, and not exactly as the status said. */
export function clampEventDue(
  previous: readonly ClampedStatus[],
  current: readonly ClampedStatus[],
): boolean {
  return current.length > 0 && JSON.stringify(previous) !== JSON.stringify(current);
}
