/**
 * @module tanzu/topic-endpoint
 * Where a ClusterStream's topic lives, resolved from its spec and the operator's defaults: the
 * protocol, the servers (as clients in the cluster dial them) and the names on the broker.
 */
import { isHost, splitHostPort } from '../brokers/address.js';
import type { Protocol } from './cluster-stream.js';

/** A topic on a broker. For NATS, `topic` is the subject and `stream` the JetStream stream. */
export type TopicEndpoint =
  | { readonly protocol: 'kafka'; readonly servers: readonly string[]; readonly topic: string }
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

/** The endpoint of `topic` on `servers` for `protocol`. */
export function topicEndpoint(protocol: Protocol, servers: readonly string[], topic: string): TopicEndpoint {
  return protocol === 'kafka'
    ? { protocol, servers, topic }
    : { protocol, servers, topic, stream: natsStreamName(topic) };
}

/**
 * Splits a ClusterStream's `storage.server.url` into servers: Kafka wants `host:port` bootstrap
 * servers, NATS wants `nats://`, `tls://`, `ws://` or `wss://` URLs (a bare `host:port` gets
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

/**
 * Why `name` cannot be a topic for `protocol`, or `undefined` when it can. Kafka: 1-249 of
 * `[A-Za-z0-9._-]`, not `.` or `..`. NATS: a literal subject (dot-separated non-empty tokens, no
 * wildcard, no whitespace).
 */
export function topicNameProblem(protocol: Protocol, name: string): string | undefined {
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
