/**
 * @module cli/streams/run-directive
 * The temporary Directive of `sluice directive run` (pure): tasks written as tawonctl writes them,
 * and the Directive object built from the flags.
 *
 * Task syntax: `name` or `name|key:value|key:value...`, for example `capture|filter:port 53`,
 * `dns`, `publish|type:stream`. A value is everything after the first `:` of its part (so it may
 * hold spaces and further colons) and is kept as a string.
 *
 * Publishing goes to the run's target: its Stream (with `--stream-store`) or, by default as in
 * tawonctl, a plain NATS subject (`sluice.directive.<namespace>.<name>`, or `--subject`):
 * - a `publish` task without a `type` gets the target's (`stream` or `nats`);
 * - a `publish` task of type stream without a `name` publishes to the Directive's own Stream (with
 *   a store; without one it must name an existing Stream);
 * - a `publish` task of type nats without a `subject` publishes to the run's subject;
 * - when no `publish` task is given, one to the target is added (a temporary target nobody writes
 *   to would be of no use). No tasks at all means `capture` then that publish.
 */
import type { KubeObject } from '../../runtime/index.js';
import { CliError } from './errors.js';

/** One task of a Directive, as the CRD holds it. */
export interface TaskSpec {
  readonly task: string;
  readonly config?: Readonly<Record<string, string>>;
}

const TASK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The label every Directive made by `sluice directive run` carries, to find leftovers. */
export const TEMPORARY_LABEL = 'sluice.io/temporary';

/**
 * Parses one `--task` value.
 * @throws CliError naming the part that is malformed.
 */
export function parseTask(text: string): TaskSpec {
  const [head = '', ...parts] = text.split('|');
  const task = head.trim();
  if (!TASK_NAME.test(task)) {
    throw new CliError(`--task ${JSON.stringify(text)}: ${JSON.stringify(task)} is not a task name`);
  }
  const config: Record<string, string> = {};
  for (const part of parts) {
    const colon = part.indexOf(':');
    const key = colon < 0 ? '' : part.slice(0, colon).trim();
    if (!KEY.test(key)) {
      throw new CliError(
        `--task ${JSON.stringify(text)}: ${JSON.stringify(part)} is not key:value (as in capture|filter:port 53)`,
      );
    }
    if (key in config) throw new CliError(`--task ${JSON.stringify(text)}: ${key} is given twice`);
    config[key] = part.slice(colon + 1).trim();
  }
  return Object.keys(config).length > 0 ? { task, config } : { task };
}

/** Where a run's Directive publishes: its own Stream, or a plain NATS subject. */
export type PublishTarget =
  { readonly type: 'stream'; readonly name: string } | { readonly type: 'nats'; readonly subject: string };

/** The publish task that sends to `target`. */
function publishTo(target: PublishTarget): TaskSpec {
  return {
    task: 'publish',
    config:
      target.type === 'stream'
        ? { type: 'stream', name: target.name }
        : { type: 'nats', subject: target.subject },
  };
}

/**
 * The tasks with every publish aimed at `target` by default (see the module notes).
 * @throws CliError for a stream publish naming no Stream when the target is NATS.
 */
export function withPublishTarget(tasks: readonly TaskSpec[], target: PublishTarget): TaskSpec[] {
  const given = tasks.length > 0 ? tasks : [{ task: 'capture' }];
  const out = given.map((t): TaskSpec => {
    if (t.task !== 'publish') return t;
    const type = t.config?.type ?? target.type;
    if (type === 'stream') {
      const name = t.config?.name ?? (target.type === 'stream' ? target.name : undefined);
      if (name === undefined) {
        throw new CliError(
          '--task publish|type:stream: name the Stream (publish|type:stream|name:STREAM), or give --stream-store to create one',
        );
      }
      return { task: 'publish', config: { ...t.config, type, name } };
    }
    if (type === 'nats' && target.type === 'nats') {
      return { task: 'publish', config: { ...t.config, type, subject: t.config?.subject ?? target.subject } };
    }
    return { task: 'publish', config: { ...t.config, type } };
  });
  if (!out.some((t) => t.task === 'publish')) out.push(publishTo(target));
  return out;
}

/**
 * Parses `--condition field=value` into the seed's `condition.equal`.
 * @throws CliError when there is no `=` or the field is empty.
 */
export function parseCondition(text: string): { equal: { field: string; value: string } } {
  const eq = text.indexOf('=');
  const field = eq < 0 ? '' : text.slice(0, eq).trim();
  if (!field)
    throw new CliError(
      `--condition ${JSON.stringify(text)}: expected field=value, as in process.name=coredns`,
    );
  return { equal: { field, value: text.slice(eq + 1).trim() } };
}

/** Checks a name given with `--name`. */
export function checkName(name: string): string {
  if (!DNS_SUBDOMAIN.test(name) || name.length > 63) {
    throw new CliError(
      `--name ${JSON.stringify(name)}: must be a Kubernetes name (lower case letters, digits, '-' and '.', at most 63)`,
    );
  }
  return name;
}

/** What `sluice directive run` puts into its Directive. */
export interface RunDirectiveInput {
  readonly name: string;
  readonly namespace: string;
  /** The StreamStore of the run's Stream; undefined: publish to {@link subject} on plain NATS. */
  readonly store: string | undefined;
  /** The NATS subject published to without a store. */
  readonly subject: string;
  readonly tasks: readonly TaskSpec[];
  readonly condition?: Readonly<Record<string, unknown>>;
  /** Stream limits as the CRD holds them (maxmsgs a number, maxage a duration, maxbytes either). */
  readonly limits?: {
    readonly maxmsgs?: number;
    readonly maxage?: string;
    readonly maxbytes?: number | string;
  };
}

/** Where the run publishes: its Stream when it has a store, else its subject. */
export function targetOf(input: Pick<RunDirectiveInput, 'name' | 'store' | 'subject'>): PublishTarget {
  return input.store === undefined
    ? { type: 'nats', subject: input.subject }
    : { type: 'stream', name: input.name };
}

/**
 * The temporary Directive: the tasks (publishing to its target) and, with a store, a `streams`
 * entry for a Stream of the same name on it, with `retentionPolicy: Delete` so that the Stream
 * goes with it.
 */
export function runDirective(input: RunDirectiveInput): KubeObject {
  return {
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { [TEMPORARY_LABEL]: 'true' },
      annotations: { 'sluice.io/created-by': 'sluice directive run' },
    },
    spec: {
      ...(input.condition ? { condition: input.condition } : {}),
      tasks: withPublishTarget(input.tasks, targetOf(input)),
      streams:
        input.store === undefined
          ? []
          : [{ name: input.name, store: input.store, ...input.limits, retentionPolicy: 'Delete' }],
    },
  };
}
