/**
 * @module functions/tawon-stream/desired
 * Pure parts of the Stream reconciler: the JetStream configuration a Stream wants, the drift
 * between it and what the server has, and the status.
 *
 * The configuration Sluice manages: one subject, limits retention, file storage, discard old,
 * `max_msgs` / `max_age` / `max_bytes` from the applied limits (unlimited when none applies), and
 * as many replicas as the store runs. Only what JetStream 2.9 knows is used.
 */
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig, type StreamInfo } from 'nats';
import { conditionsOf, setConditions, type Condition, type ConditionInput } from '../../runtime/index.js';
import { DEFAULT_VALUE, type ClaimStatus, type SettingChange } from '../../shared/index.js';
import type { AppliedLimits } from '../../shared/index.js';
import { clampCondition, type ClampedStatus } from './clamp.js';
import type { TawonStream } from './spec.js';

/** The fields of a JetStream stream's configuration that Sluice sets and keeps. */
export type ManagedConfig = Pick<
  StreamConfig,
  | 'name'
  | 'subjects'
  | 'retention'
  | 'storage'
  | 'discard'
  | 'max_msgs'
  | 'max_age'
  | 'max_bytes'
  | 'num_replicas'
>;

/** The configuration Sluice wants on the server. */
export function desiredConfig(
  name: string,
  subject: string,
  limits: AppliedLimits,
  replicas: number,
): ManagedConfig {
  return {
    name,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_msgs: limits.maxmsgs?.value ?? -1,
    max_age: limits.maxage?.value ?? 0,
    max_bytes: limits.maxbytes?.value ?? -1,
    num_replicas: replicas,
  };
}

/** The fields that can be changed in place, and so are compared for drift. */
const MUTABLE: readonly (keyof ManagedConfig)[] = [
  'subjects',
  'discard',
  'max_msgs',
  'max_age',
  'max_bytes',
  'num_replicas',
];

/** The settings `sluice.io/ignore-settings` may name on a Tawon Stream. */
export const TAWON_STREAM_SETTINGS: readonly string[] = [...MUTABLE].sort();

/** Names of the mutable fields where the server's configuration differs from the desired one. */
export function driftOf(
  current: Partial<StreamConfig>,
  want: ManagedConfig,
  ignored: ReadonlySet<string> = new Set(),
): string[] {
  return streamChanges(current, want, ignored).map((c) => c.setting);
}

function text(value: unknown): string {
  if (value === undefined) return DEFAULT_VALUE;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Each mutable field where the server differs from `want`, with both values; `ignored` left out. */
export function streamChanges(
  current: Partial<StreamConfig>,
  want: ManagedConfig,
  ignored: ReadonlySet<string> = new Set(),
): SettingChange[] {
  return MUTABLE.filter((k) => !ignored.has(k) && JSON.stringify(current[k]) !== JSON.stringify(want[k])).map(
    (k) => ({ setting: k, broker: text(current[k]), spec: text(want[k]) }),
  );
}

/**
 * The fields of `want` an in-place update sends (the client merges them into the server's current
 * configuration, so settings Sluice does not manage, or leaves alone, stay as they are).
 */
export function mutableConfig(
  want: ManagedConfig,
  ignored: ReadonlySet<string> = new Set(),
): Partial<StreamConfig> {
  const { retention: _r, storage: _s, name: _n, ...mutable } = want;
  return Object.fromEntries(Object.entries(mutable).filter(([k]) => !ignored.has(k)));
}

export interface StreamLimitsStatus {
  readonly maxmsgs?: number;
  readonly maxage?: string;
  readonly maxbytes?: number | string;
}

export interface TawonStreamStatus {
  readonly subject: string;
  readonly limits: StreamLimitsStatus;
  /** The requests the store's hard limits overrode; empty when none. */
  readonly clamped: ClampedStatus[];
  readonly messages: number;
  readonly bytes: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly observedGeneration: number;
  readonly claim?: ClaimStatus;
  readonly conditions: Condition[];
}

/** The applied limits as the status shows them: messages as a number, age and size as written. */
export function limitsStatus(limits: AppliedLimits): StreamLimitsStatus {
  const bytes = limits.maxbytes;
  return {
    ...(limits.maxmsgs ? { maxmsgs: limits.maxmsgs.value } : {}),
    ...(limits.maxage ? { maxage: limits.maxage.text } : {}),
    ...(bytes ? { maxbytes: /^[0-9]+$/.test(bytes.text) ? bytes.value : bytes.text } : {}),
  };
}

/** What the limits came to: the applied ones, the clamped requests, and the store that clamped them. */
export interface LimitOutcome {
  readonly applied: AppliedLimits;
  readonly clamped: readonly ClampedStatus[];
  readonly store: string;
}

/** The status of a Stream whose JetStream stream is in place (or, read-only, as it is). */
export function readyStatus(
  stream: TawonStream,
  subject: string,
  limits: LimitOutcome,
  info: StreamInfo,
  ownership: { readonly claim: ClaimStatus; readonly managed: ConditionInput },
  now: Date,
): TawonStreamStatus {
  const generation = stream.metadata.generation ?? 0;
  const readOnly = ownership.managed.reason === 'ReadOnly';
  return {
    subject,
    limits: limitsStatus(limits.applied),
    clamped: [...limits.clamped],
    messages: info.state.messages,
    bytes: info.state.bytes,
    firstSeq: info.state.first_seq,
    lastSeq: info.state.last_seq,
    observedGeneration: generation,
    claim: ownership.claim,
    conditions: setConditions(
      conditionsOf(stream.status),
      [
        {
          type: 'Ready',
          status: 'True',
          reason: 'StreamReady',
          message: `JetStream stream ${info.config.name} on subject ${subject}${readOnly ? ' (read-only: Sluice changes nothing on it)' : ''}`,
          observedGeneration: generation,
        },
        { ...ownership.managed, observedGeneration: generation },
        { ...clampCondition(limits.clamped, limits.store), observedGeneration: generation },
      ],
      now,
    ),
  };
}
