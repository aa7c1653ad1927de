/**
 * @module tanzu/topic-endpoint
 * Where a ClusterStream's topic lives, resolved from its spec and the operator's defaults: the
 * protocol, the servers (as clients in the cluster dial them) and the names on the broker.
 */
import { isHost, splitHostPort } from '../brokers/address.js';
import type { Protocol } from './cluster-stream.js';

/**
 * A topic on a broker. For NATS, `topic` is the subject and `stream` the JetStream stream; for
 * RabbitMQ, `topic` is the exchange, `queues` its stream queues and `vhost` the virtual host.
 */
export type TopicEndpoint =
  | { readonly protocol: 'kafka'; readonly servers: readonly string[]; readonly topic: string }
  | {
      readonly protocol: 'rabbitmq';
      readonly servers: readonly string[];
      readonly topic: string;
      readonly queues: readonly string[];
      readonly vhost: string;
    }
  | {
      readonly protocol: 'nats';
      readonly servers: readonly string[];
      readonly topic: string;
      readonly stream: string;
    };

/**
 * The JetStream stream that holds the subject `topic`: the subject with its dots (and any other
 * character a stream name cannot hold) replaced by `_`.
 * @example natsStreamName('orders.eu') // 'orders_eu'
 */
export function natsStreamName(topic: string): string {
  return topic.replace(/[.*>\s/\\]/g, '_');
}

/**
 * The queues that hold a RabbitMQ exchange's messages: the queue of the exchange's name, or for
 * more than one partition the super stream partitions `<name>-0` ... `<name>-<n-1>`.
 */
export function rabbitQueueNames(exchange: string, partitions: number): string[] {
  return partitions <= 1 ? [exchange] : Array.from({ length: partitions }, (_, i) => `${exchange}-${i}`);
}

/** The endpoint of `topic` on `servers` for `protocol` (RabbitMQ: with its partitions and virtual host). */
export function topicEndpoint(
  protocol: Protocol,
  servers: readonly string[],
  topic: string,
  rabbit: { readonly partitions: number; readonly vhost: string } = { partitions: 1, vhost: '/' },
): TopicEndpoint {
  switch (protocol) {
    case 'kafka':
      return { protocol, servers, topic };
    case 'nats':
      return { protocol, servers, topic, stream: natsStreamName(topic) };
    case 'rabbitmq':
      return {
        protocol,
        servers,
        topic,
        queues: rabbitQueueNames(topic, rabbit.partitions),
        vhost: rabbit.vhost,
      };
  }
}

/**
 * Splits a ClusterStream's `storage.server.url` into servers: Kafka wants `host:port` bootstrap
 * servers, RabbitMQ `host:port` or `amqp://host[:port]` (kept as `host:port`, 5672 by default), NATS wants `nats://`, `tls://`, `ws://` or `wss://` URLs (a bare `host:port` gets
 * `nats://`). Items are comma-separated.
 * @returns the servers, or a sentence saying what is wrong.
 */
export function parseServers(
  protocol: Protocol,
  url: string,
): { readonly servers: string[] } | { readonly problem: string } {
  const items = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) return { problem: 'is empty' };
  if (protocol === 'rabbitmq') return rabbitServers(items);
  if (protocol === 'kafka') {
    const bad = items.find((s) => splitHostPort(s) === undefined);
    return bad === undefined
      ? { servers: items }
      : { problem: `must be comma-separated host:port bootstrap servers, got ${JSON.stringify(bad)}` };
  }
  const servers: string[] = [];
  for (const item of items) {
    const url = /^(?:nats|tls|ws|wss):\/\/([^/@]+)\/?$/.exec(item);
    const authority = url?.[1] ?? (/:\/\//.test(item) ? undefined : item);
    if (authority === undefined || (splitHostPort(authority) === undefined && !isHost(authority))) {
      return {
        problem: `must be comma-separated nats://, tls://, ws:// or wss:// URLs of host[:port] (no credentials), got ${JSON.stringify(item)}`,
      };
    }
    servers.push(url ? item.replace(/\/$/, '') : `nats://${item}`);
  }
  return { servers };
}

function rabbitServers(
  items: readonly string[],
): { readonly servers: string[] } | { readonly problem: string } {
  const servers: string[] = [];
  for (const item of items) {
    const url = /^amqp:\/\/([^/@]+)\/?$/.exec(item);
    const authority = url?.[1] ?? (/:\/\//.test(item) ? undefined : item);
    const hostPort =
      authority === undefined
        ? undefined
        : splitHostPort(authority) !== undefined
          ? authority
          : isHost(authority)
            ? `${authority}:5672`
            : undefined;
    if (hostPort === undefined) {
      return {
        problem: `must be comma-separated host:port or amqp://host[:port] addresses (no credentials, no virtual host: those go in the binding Secret), got ${JSON.stringify(item)}`,
      };
    }
    servers.push(hostPort);
  }
  return { servers };
}

/**
 * Why `name` cannot be a topic for `protocol`, or `undefined` when it can. Kafka: 1-249 of
 * `[A-Za-z0-9._-]`, not `.` or `..`. NATS: a literal subject (dot-separated non-empty tokens, no
 * wildcard, no whitespace). RabbitMQ: 1-240 characters without whitespace or control characters,
 * not starting with `amq.` (reserved); 240 leaves room for the partition suffix of a super stream.
 */
export function topicNameProblem(protocol: Protocol, name: string): string | undefined {
  if (protocol === 'rabbitmq') {
    return name.length >= 1 && name.length <= 240 && !/[\s\p{Cc}]/u.test(name) && !name.startsWith('amq.')
      ? undefined
      : 'a RabbitMQ exchange name is 1 to 240 characters without whitespace, not starting with "amq."';
  }
  if (protocol === 'kafka') {
    return /^[A-Za-z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..'
      ? undefined
      : 'a Kafka topic name is 1 to 249 letters, digits, ".", "_" or "-" (and not "." or "..")';
  }
  const tokens = name.split('.');
  return name.length <= 255 && tokens.every((t) => t.length > 0 && !/[\s*>]/.test(t))
    ? undefined
    : 'a NATS subject is dot-separated non-empty tokens without whitespace or the wildcards * and >';
}
