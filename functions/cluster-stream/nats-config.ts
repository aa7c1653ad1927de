/**
 * @module functions/cluster-stream/nats-config
 * A ClusterStream's `spec.config` for `protocol: nats`: the JetStream stream settings it may set
 * (JetStream's own JSON names), parsed and checked, and the drift between the stream Sluice wants
 * and the one on the server. Pure.
 *
 * Supported keys: `max_msgs`, `max_bytes`, `max_msg_size`, `max_msgs_per_subject`,
 * `max_consumers` (integers, -1 for unlimited), `max_age`, `duplicate_window` (durations such as
 * `90s`, `1h30m`, `500ms`; `max_age` `0` means no expiry), `discard` (old | new), `retention`
 * (limits | interest | workqueue), `storage` (file | memory), `description`. Any other key is
 * refused: it would otherwise be silently ignored.
 */
import { TerminalError } from '../../runtime/index.js';
import { DEFAULT_VALUE, type SettingChange } from '../../shared/index.js';

const INTEGER_KEYS = [
  'max_msgs',
  'max_bytes',
  'max_msg_size',
  'max_msgs_per_subject',
  'max_consumers',
] as const;
const DURATION_KEYS = ['max_age', 'duplicate_window'] as const;
const CHOICE_KEYS = {
  discard: ['old', 'new'],
  retention: ['limits', 'interest', 'workqueue'],
  storage: ['file', 'memory'],
} as const;

type IntegerKey = (typeof INTEGER_KEYS)[number];
type DurationKey = (typeof DURATION_KEYS)[number];
type ChoiceKey = keyof typeof CHOICE_KEYS;

/** Every key `spec.config` may hold for NATS. */
export const NATS_CONFIG_KEYS: readonly string[] = [
  ...INTEGER_KEYS,
  ...DURATION_KEYS,
  ...Object.keys(CHOICE_KEYS),
  'description',
].sort();

/** The managed settings of a JetStream stream, with JetStream's defaults for those left out. */
export type NatsSettings = Record<IntegerKey | DurationKey, number> & {
  readonly [K in ChoiceKey]: (typeof CHOICE_KEYS)[K][number];
} & { readonly description: string };

/** JetStream's defaults: unlimited, kept forever, two-minute duplicate window, file storage. */
export const NATS_DEFAULTS: NatsSettings = {
  max_msgs: -1,
  max_bytes: -1,
  max_msg_size: -1,
  max_msgs_per_subject: -1,
  max_consumers: -1,
  max_age: 0,
  duplicate_window: 120_000_000_000,
  discard: 'old',
  retention: 'limits',
  storage: 'file',
  description: '',
};

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go-style duration (`1h30m`, `90s`, `250ms`, `0`) into nanoseconds.
 * @returns `undefined` when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const [, amount = '0', unit = 's'] of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * (UNIT_NANOS[unit] ?? 0);
  }
  return Math.round(total);
}

function parseOne(key: string, value: string): { value: number | string } | { problem: string } {
  if ((INTEGER_KEYS as readonly string[]).includes(key)) {
    return /^-?\d+$/.test(value.trim()) && Number(value) >= -1 && Number.isSafeInteger(Number(value))
      ? { value: Number(value) }
      : { problem: 'must be an integer, -1 for unlimited' };
  }
  if ((DURATION_KEYS as readonly string[]).includes(key)) {
    const nanos = parseDuration(value);
    if (nanos === undefined) return { problem: 'must be a duration such as 90s, 1h30m or 500ms' };
    if (key === 'duplicate_window' && nanos === 0) return { problem: 'must be longer than 0' };
    return { value: nanos };
  }
  if (key in CHOICE_KEYS) {
    const allowed: readonly string[] = CHOICE_KEYS[key as ChoiceKey];
    return allowed.includes(value) ? { value } : { problem: `must be one of ${allowed.join(', ')}` };
  }
  if (key === 'description') return { value };
  return {
    problem: `is not a JetStream stream setting Sluice manages (one of ${NATS_CONFIG_KEYS.join(', ')})`,
  };
}

/**
 * The settings `config` asks for, JetStream's defaults for the rest.
 * @throws TerminalError `InvalidSpec` naming every bad key.
 */
export function natsSettings(config: Readonly<Record<string, string>> | undefined): NatsSettings {
  const out: Record<string, number | string> = { ...NATS_DEFAULTS };
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(config ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const parsed = parseOne(key, raw);
    if ('problem' in parsed) problems.push(`spec.config.${key}: ${parsed.problem}`);
    else out[key] = parsed.value;
  }
  if (problems.length > 0) {
    throw new TerminalError('InvalidSpec', `invalid spec for a NATS stream: ${problems.join('; ')}`);
  }
  return out as NatsSettings;
}

/** The JetStream stream configuration Sluice wants (what it creates, and sends on update). */
export interface NatsStreamWant extends NatsSettings {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly num_replicas: number;
}

/** The stream `stream` holding `subject`, with `replicas` copies and `settings`. */
export function natsStreamWant(
  stream: string,
  subject: string,
  replicas: number,
  settings: NatsSettings,
): NatsStreamWant {
  return { ...settings, name: stream, subjects: [subject], num_replicas: replicas };
}

/** The stream settings Sluice keeps (and `sluice.io/ignore-settings` may name). */
export const NATS_STREAM_SETTINGS: readonly string[] = [
  ...NATS_CONFIG_KEYS,
  'num_replicas',
  'subjects',
].sort();

/** The managed fields where the server's configuration differs from `want`, sorted. */
export function natsDrift(
  want: NatsStreamWant,
  current: Readonly<Record<string, unknown>>,
  ignored: ReadonlySet<string> = new Set(),
): string[] {
  return natsChanges(want, current, ignored).map((c) => c.setting);
}

function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_VALUE;
  if (Array.isArray(value)) return value.map(text).join(',');
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** Each managed field where the server differs from `want` (sorted), with both values. */
export function natsChanges(
  want: NatsStreamWant,
  current: Readonly<Record<string, unknown>>,
  ignored: ReadonlySet<string> = new Set(),
): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const key of Object.keys(want).sort()) {
    if (key === 'name' || ignored.has(key)) continue;
    const wanted = (want as unknown as Record<string, unknown>)[key];
    const have = current[key] ?? (key === 'description' ? '' : undefined);
    const same = Array.isArray(wanted)
      ? Array.isArray(have) && have.length === wanted.length && wanted.every((v, i) => have[i] === v)
      : have === wanted;
    if (!same) changes.push({ setting: key, broker: text(have), spec: text(wanted) });
  }
  return changes;
}
