/**
 * @module functions/stream-store/nats-conf
 * The nats-server configuration of a StreamStore (`nats.conf` in its ConfigMap), and the names
 * and ports every store object shares.
 *
 * What the configuration says:
 * - clients on {@link PORTS.client} (4222), HTTP monitoring on {@link PORTS.monitor} (8222);
 * - JetStream with `store_dir` on the claim's volume and `max_file_store` = the claim's size;
 * - `server_name` from the Pod name (`$POD_NAME`, set from the downward API), stable per ordinal;
 * - with more than one replica, a `cluster` block named after the store, listening on
 *   {@link PORTS.cluster} (6222), with a route to every ordinal through the headless Service.
 *
 * The text is deterministic: the same store always renders the same bytes (its hash rolls the Pods).
 */
import { createHash } from 'node:crypto';

export const PORTS = { client: 4222, monitor: 8222, cluster: 6222 } as const;

/** Where the claim is mounted and JetStream keeps its files. */
export const STORE_DIR = '/data';

/** Where the ConfigMap is mounted, and the file nats-server reads. */
export const CONFIG_DIR = '/etc/nats';
export const CONFIG_FILE = 'nats.conf';

/** The names of a store's objects, all derived from the store's name. */
export interface StoreNames {
  readonly statefulSet: string;
  readonly configMap: string;
  /** The client Service: ports 4222 and 8222. */
  readonly service: string;
  /** The StatefulSet's governing Service (clusterIP None), carrying the cluster routes. */
  readonly headless: string;
}

export function storeNames(name: string): StoreNames {
  return { statefulSet: name, configMap: `${name}-config`, service: name, headless: `${name}-headless` };
}

/** `nats://<store>.<ns>.svc:4222`: the client endpoint in the cluster. */
export function storeEndpoint(name: string, namespace: string): string {
  return `nats://${storeHostPort(name, namespace)}`;
}

/** `<store>.<ns>.svc:4222`: what the operator dials (before endpoint overrides). */
export function storeHostPort(name: string, namespace: string): string {
  return `${name}.${namespace}.svc:${PORTS.client}`;
}

/** The route URL of every ordinal, through the headless Service. */
export function clusterRoutes(name: string, namespace: string, replicas: number): string[] {
  const headless = storeNames(name).headless;
  return Array.from(
    { length: replicas },
    (_, i) => `nats://${name}-${i}.${headless}.${namespace}.svc:${PORTS.cluster}`,
  );
}

export interface NatsConfInput {
  readonly name: string;
  readonly namespace: string;
  readonly replicas: number;
  /** `max_file_store` in bytes. */
  readonly maxFileStore: number;
}

/** Overrides for running the rendered file outside a Pod (tests); production uses the defaults. */
export interface NatsConfPlacement {
  readonly storeDir?: string;
  readonly ports?: { readonly client: number; readonly monitor: number; readonly cluster: number };
}

/** Renders `nats.conf`. */
export function renderNatsConf(input: NatsConfInput, placement: NatsConfPlacement = {}): string {
  const ports = placement.ports ?? PORTS;
  const lines = [
    `# nats-server configuration of StreamStore ${input.namespace}/${input.name}, rendered by Sluice.`,
    '# Edits are overwritten: change the StreamStore instead.',
    'server_name: $POD_NAME',
    `listen: "0.0.0.0:${ports.client}"`,
    `http: "0.0.0.0:${ports.monitor}"`,
    '',
    'jetstream {',
    `  store_dir: ${JSON.stringify(placement.storeDir ?? STORE_DIR)}`,
    `  max_file_store: ${input.maxFileStore}`,
    '}',
  ];
  if (input.replicas > 1) {
    lines.push(
      '',
      'cluster {',
      `  name: ${JSON.stringify(input.name)}`,
      `  listen: "0.0.0.0:${ports.cluster}"`,
      '  connect_retries: 120',
      '  routes: [',
      ...clusterRoutes(input.name, input.namespace, input.replicas).map((r) => `    ${JSON.stringify(r)}`),
      '  ]',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A short, stable digest of the configuration, put on the Pod template so a change rolls the Pods. */
export function configHash(conf: string): string {
  return createHash('sha256').update(conf).digest('hex').slice(0, 16);
}
