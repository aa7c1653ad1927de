/**
 * @module functions/directive/desired
 * Pure parts of the Directive reconciler: the Streams it creates, how it recognises them, and its
 * status.
 *
 * Ownership (decided here, once):
 * - a Stream the Directive creates carries the label {@link DIRECTIVE_LABEL} (the Directive's
 *   name) and the annotation {@link CREATED_BY_ANNOTATION} (its UID); only such a Stream is
 *   managed by the Directive (its limits follow the Directive's);
 * - `retentionPolicy: Delete` adds a controller owner reference with `blockOwnerDeletion`, so the
 *   garbage collector deletes the Stream when the Directive goes (and the Stream's finalizer then
 *   deletes its JetStream stream);
 * - `Retain` (the default) sets no owner reference, so nothing deletes the Stream; switching from
 *   Delete to Retain removes the reference (server-side apply drops what Sluice no longer applies).
 */
import {
  MANAGED_BY,
  conditionsOf,
  controllerRef,
  setCondition,
  type Condition,
  type KubeObject,
} from '../../runtime/index.js';
import { DirectiveKind } from '../../shared/index.js';
import type { DeclaredStream, Directive } from './spec.js';
import { DIRECTIVE_LABEL } from './watch.js';

/** The annotation holding the UID of the Directive that created a Stream. */
export const CREATED_BY_ANNOTATION = 'tawon.mantisnet.com/created-by-directive';

/** Whether `stream` was created by this very Directive (same UID). */
export function createdBy(stream: KubeObject, directive: KubeObject): boolean {
  const uid = directive.metadata.uid;
  return uid !== undefined && stream.metadata.annotations?.[CREATED_BY_ANNOTATION] === uid;
}

/** The Stream the Directive creates (and keeps) for a declared entry with a store. */
export function desiredStream(directive: Directive, entry: DeclaredStream, store: string): KubeObject {
  const limits = Object.fromEntries(
    Object.entries(entry.written).filter(([, v]) => v !== undefined && v !== null),
  );
  return {
    metadata: {
      name: entry.name,
      namespace: directive.metadata.namespace ?? '',
      labels: { [DIRECTIVE_LABEL]: directive.metadata.name ?? '', [MANAGED_BY]: 'sluice' },
      annotations: { [CREATED_BY_ANNOTATION]: directive.metadata.uid ?? '' },
      ...(entry.retentionPolicy === 'Delete'
        ? { ownerReferences: [controllerRef(DirectiveKind, directive)] }
        : {}),
    },
    spec: { store: { name: store }, ...limits },
  };
}

/** One Stream as the Directive's status shows it. */
export interface ResolvedStream {
  readonly name: string;
  readonly store?: string;
  readonly subject?: string;
  /** Whether this Directive created the Stream (so it manages it). */
  readonly created: boolean;
  readonly ready: boolean;
  /** The limits in force, as the Stream's status reports them. */
  readonly limits?: Readonly<Record<string, unknown>>;
  /** The requests its store's hard limits overrode, as the Stream's status reports them. */
  readonly clamped?: readonly unknown[];
}

/** A reason the Directive cannot be Ready, other than Streams still coming up. */
export interface Problem {
  readonly reason: string;
  readonly message: string;
}

export interface DirectiveStatus {
  readonly streams: ResolvedStream[];
  readonly observedGeneration: number;
  readonly conditions: Condition[];
}

export function directiveStatus(
  directive: Directive,
  streams: ResolvedStream[],
  problems: readonly Problem[],
  now: Date,
): DirectiveStatus {
  const generation = directive.metadata.generation ?? 0;
  const waiting = streams.filter((s) => !s.ready).map((s) => s.name);
  const [first] = problems;
  const ready = first
    ? { status: 'False' as const, reason: first.reason, message: problems.map((p) => p.message).join('; ') }
    : waiting.length > 0
      ? {
          status: 'False' as const,
          reason: 'StreamNotReady',
          message: `waiting for Stream ${waiting.join(', ')}`,
        }
      : {
          status: 'True' as const,
          reason: 'StreamsReady',
          message:
            streams.length === 0
              ? 'no Streams to publish to'
              : `Streams ready: ${streams.map((s) => s.name).join(', ')}`,
        };
  return {
    streams,
    observedGeneration: generation,
    conditions: setCondition(
      conditionsOf(directive.status),
      { type: 'Ready', ...ready, observedGeneration: generation },
      now,
    ),
  };
}
