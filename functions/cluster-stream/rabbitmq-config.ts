/**
 * @module functions/cluster-stream/rabbitmq-config
 * What a ClusterStream with `protocol: rabbitmq` asks of RabbitMQ, as the Streaming Runtime's own
 * RabbitMQ provisioner laid it out: a durable exchange named `spec.name` and a durable queue of the
 * same name bound to it. Sluice makes the queue a RabbitMQ stream (`x-queue-type: stream`:
 * persistent, replicated, read from any offset by any number of consumers, which is what a
 * Stream is); with `partitions` above 1 the layout is a super stream, RabbitMQ's partitioned
 * stream: a `direct` exchange and the streams `<name>-0` ... `<name>-<n-1>`, each bound with its
 * index as routing key.
 *
 * `config` sets queue arguments, only these (any other key is `InvalidSpec`):
 * - `x-queue-type`: `stream` (default), `quorum` or `classic`; more than one partition needs `stream`;
 * - `x-max-age` (streams: `7D`, `12h`, `30m`, ...), `x-max-length-bytes`,
 *   `x-stream-max-segment-size-bytes` (streams), `x-max-length` and `x-message-ttl` (ms; quorum and
 *   classic queues).
 *
 * `replicationFactor` becomes the initial replica count of a stream (`x-initial-cluster-size`) or
 * a quorum queue (`x-quorum-initial-group-size`); a classic queue has no replicas, so it must be 1.
 * RabbitMQ cannot change a queue's arguments once it exists: a difference is reported, not changed.
 */
import { TerminalError } from '../../runtime/index.js';
import { rabbitQueueNames, type RabbitQueueSpec } from '../../shared/index.js';

export const RABBIT_QUEUE_TYPES = ['stream', 'quorum', 'classic'] as const;
export type RabbitQueueType = (typeof RABBIT_QUEUE_TYPES)[number];

/** What the exchange and its queues should be. */
export interface RabbitWant {
  readonly exchange: string;
  readonly exchangeType: 'fanout' | 'direct';
  readonly partitions: number;
  readonly queueType: RabbitQueueType;
  readonly queues: readonly RabbitQueueSpec[];
}

const INTEGER_KEYS = [
  'x-max-length-bytes',
  'x-stream-max-segment-size-bytes',
  'x-max-length',
  'x-message-ttl',
];
const STREAM_ONLY = new Set(['x-max-age', 'x-stream-max-segment-size-bytes']);
const NOT_FOR_STREAMS = new Set(['x-max-length', 'x-message-ttl']);
const KNOWN = new Set(['x-queue-type', 'x-max-age', ...INTEGER_KEYS]);

/**
 * The layout `spec` asks for.
 * @throws TerminalError `InvalidSpec` naming every unusable `config` key, `NotSupported` for
 *   replicas of a classic queue.
 */
export function rabbitWant(
  exchange: string,
  partitions: number,
  replicationFactor: number,
  config: Readonly<Record<string, string>> = {},
): RabbitWant {
  const problems: string[] = [];
  const queueType = (config['x-queue-type'] ?? 'stream').trim().toLowerCase();
  if (!RABBIT_QUEUE_TYPES.some((t) => t === queueType)) {
    problems.push(`config.x-queue-type must be one of ${RABBIT_QUEUE_TYPES.join(', ')}`);
  }
  const args: Record<string, string | number> = { 'x-queue-type': queueType };
  for (const [key, raw] of Object.entries(config).sort(([a], [b]) => a.localeCompare(b))) {
    const value = raw.trim();
    if (key === 'x-queue-type') continue;
    if (!KNOWN.has(key)) {
      problems.push(
        `config.${key} is not a RabbitMQ queue argument Sluice sets (use ${[...KNOWN].join(', ')})`,
      );
    } else if (STREAM_ONLY.has(key) && queueType !== 'stream') {
      problems.push(`config.${key} applies to streams only (x-queue-type stream)`);
    } else if (NOT_FOR_STREAMS.has(key) && queueType === 'stream') {
      problems.push(`config.${key} does not apply to streams (use x-max-age or x-max-length-bytes)`);
    } else if (INTEGER_KEYS.includes(key)) {
      if (/^[0-9]{1,15}$/.test(value)) args[key] = Number(value);
      else problems.push(`config.${key} must be a whole number`);
    } else if (/^[0-9]{1,9}[YMDhms]$/.test(value)) args[key] = value;
    else problems.push(`config.${key} must be a number and a unit (Y, M, D, h, m or s), such as 7D`);
  }
  if (partitions > 1 && queueType !== 'stream') {
    problems.push(`spec.partitions ${partitions} needs x-queue-type stream (a super stream)`);
  }
  if (problems.length > 0) throw new TerminalError('InvalidSpec', problems.join('; '));
  if (replicationFactor > 1) {
    if (queueType === 'classic') {
      throw new TerminalError(
        'NotSupported',
        `spec.replicationFactor ${replicationFactor}: a classic RabbitMQ queue has no replicas; use x-queue-type stream or quorum, or leave it at 1`,
      );
    }
    args[queueType === 'stream' ? 'x-initial-cluster-size' : 'x-quorum-initial-group-size'] =
      replicationFactor;
  }
  const names = rabbitQueueNames(exchange, partitions);
  return {
    exchange,
    exchangeType: partitions > 1 ? 'direct' : 'fanout',
    partitions,
    queueType: queueType as RabbitQueueType,
    queues: names.map((name, i) => ({
      name,
      routingKey: partitions > 1 ? String(i) : '',
      arguments: args,
      bindingArguments: partitions > 1 ? { 'x-stream-partition-order': i } : {},
    })),
  };
}
