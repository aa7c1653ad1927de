/**
 * @module brokers/binding
 * Reads a Service Binding Secret (servicebinding.io) into the credentials and addresses Sluice
 * dials a broker with.
 *
 * Keys understood, for both protocols: `type` (must match the protocol when present; so must a
 * Secret `.type` of `servicebinding.io/<type>`), `provider` (informational), `host`, `port`, `uri`,
 * `username` (synonym `user`), `password`, `certificates` (PEM CA chain; synonym `ca.crt`),
 * `certificate` / `tls.crt` (client certificate) with `private-key` / `tls.key`.
 * Kafka adds `bootstrap-servers` (synonym `bootstrapServers`), `securityProtocol`
 * (PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL) and `saslMechanism` (PLAIN | SCRAM-SHA-256 |
 * SCRAM-SHA-512; PLAIN when SASL is on and it is absent). NATS adds `token`. RabbitMQ adds
 * `virtual-host` (synonym `vhost`; default `/`) and `addresses` (comma-separated `host:port`); its
 * `uri` is `amqp://host[:port][/vhost]` or `amqps://...` (TLS), without credentials.
 * Other keys are ignored (a binding also serves applications). Without `securityProtocol`, SASL is
 * on when a username or password is given and TLS is on when certificates are given.
 *
 * Guarantees: a Secret that cannot be honoured exactly throws {@link InvalidBindingError}; no
 * message ever contains a value from the Secret.
 */
import type { KubeObject } from '../../runtime/kube/types.js';
import { isHost, isPort, joinHostPort, splitHostPort } from './address.js';
import { BindingEntries } from './binding-entries.js';
import type { BrokerCredentials } from './types.js';

/** The protocols a binding can be read for. */
export type BindingProtocol = 'kafka' | 'nats' | 'rabbitmq';

/** What a binding Secret yields. */
export interface ParsedBinding {
  readonly credentials: BrokerCredentials;
  /**
   * Addresses from the Secret, when it has some: `host:port` for Kafka, URLs (`nats://`, `tls://`)
   * for NATS. Absent means "use the address from the resource".
   */
  readonly servers?: string[];
}

type TlsMaterial = NonNullable<BrokerCredentials['tls']>;

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const SASL_MECHANISMS = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
} as const;
const DEFAULT_PORT: Record<BindingProtocol, number> = { kafka: 9092, nats: 4222, rabbitmq: 5672 };

/**
 * Parses a Service Binding Secret for a Kafka or NATS broker.
 * @param secret the Secret as read from the API server (`data` base64, `stringData` plain).
 * @param protocol which broker the credentials are for.
 * @throws InvalidBindingError naming the Secret and the offending key.
 * @example parseBindingSecret(secret, 'kafka') // { credentials: { username, password, saslMechanism: 'scram-sha-512' }, servers: ['kafka:9093'] }
 */
export function parseBindingSecret(secret: KubeObject, protocol: BindingProtocol): ParsedBinding {
  const entries = BindingEntries.read(secret);
  checkType(secret, entries, protocol);
  const username = entries.synonym('username', 'user', 'secretText');
  const password = entries.secretText('password');
  const tls = tlsMaterial(entries);
  if (protocol === 'rabbitmq') return rabbitBinding(entries, username, password, tls);
  return protocol === 'kafka'
    ? kafkaBinding(entries, username, password, tls)
    : natsBinding(entries, username, password, tls);
}

function checkType(secret: KubeObject, entries: BindingEntries, protocol: BindingProtocol): void {
  const type = entries.text('type');
  if (type !== undefined && type.toLowerCase() !== protocol) {
    throw entries.error('type', `does not declare a ${protocol} binding`);
  }
  const secretType = (secret as { type?: unknown }).type;
  if (typeof secretType === 'string' && secretType.startsWith('servicebinding.io/')) {
    if (secretType.slice('servicebinding.io/'.length).toLowerCase() !== protocol) {
      throw entries.error(undefined, `the Secret type is not servicebinding.io/${protocol}`);
    }
  }
}

function tlsMaterial(entries: BindingEntries): TlsMaterial | undefined {
  const ca = entries.certificates('certificates', 'ca.crt');
  const cert = entries.certificates('certificate', 'tls.crt');
  const key = entries.privateKey('private-key', 'tls.key');
  if (cert !== undefined && key === undefined) {
    throw entries.error('certificate', 'a client certificate needs private-key (or tls.key)');
  }
  if (key !== undefined && cert === undefined) {
    throw entries.error('private-key', 'a private key needs certificate (or tls.crt)');
  }
  if (ca === undefined && cert === undefined) return undefined;
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}

function kafkaBinding(
  entries: BindingEntries,
  username: string | undefined,
  password: string | undefined,
  tls: TlsMaterial | undefined,
): ParsedBinding {
  const protocolText = entries.text('securityProtocol')?.toUpperCase();
  if (protocolText !== undefined && !SECURITY_PROTOCOLS.some((p) => p === protocolText)) {
    throw entries.error('securityProtocol', `must be one of ${SECURITY_PROTOCOLS.join(', ')}`);
  }
  const mechanismText = entries.text('saslMechanism')?.toUpperCase();
  if (mechanismText !== undefined && !(mechanismText in SASL_MECHANISMS)) {
    throw entries.error('saslMechanism', `must be one of ${Object.keys(SASL_MECHANISMS).join(', ')}`);
  }
  const sasl =
    protocolText?.startsWith('SASL_') ??
    (username !== undefined || password !== undefined || mechanismText !== undefined);
  const useTls = protocolText === undefined ? tls !== undefined : protocolText.endsWith('SSL');
  if (sasl && (username === undefined || password === undefined)) {
    throw entries.error(
      username === undefined ? 'username' : 'password',
      'SASL needs both username (or user) and password',
    );
  }
  if (!sasl && mechanismText !== undefined) {
    throw entries.error('saslMechanism', 'is set but securityProtocol does not use SASL');
  }
  if (!sasl && (username !== undefined || password !== undefined)) {
    throw entries.error(
      username === undefined ? 'password' : 'username',
      'is set but securityProtocol does not use SASL',
    );
  }
  if (!useTls && tls !== undefined) {
    throw entries.error(
      tls.ca === undefined ? 'certificate' : 'certificates',
      'is set but securityProtocol does not use SSL',
    );
  }
  const saslMechanism = SASL_MECHANISMS[(mechanismText ?? 'PLAIN') as keyof typeof SASL_MECHANISMS];
  const credentials: BrokerCredentials = {
    ...(sasl && username !== undefined ? { username } : {}),
    ...(sasl && password !== undefined ? { password } : {}),
    ...(sasl ? { saslMechanism } : {}),
    ...(useTls ? { tls: tls ?? {} } : {}),
  };
  const servers = kafkaServers(entries);
  return servers === undefined ? { credentials } : { credentials, servers };
}

function kafkaServers(entries: BindingEntries): string[] | undefined {
  const listed = entries.synonym('bootstrap-servers', 'bootstrapServers', 'text');
  const key = entries.text('bootstrap-servers') !== undefined ? 'bootstrap-servers' : 'bootstrapServers';
  if (listed !== undefined) return hostPortList(entries, key, listed);
  const fromHost = hostAndPort(entries, 'kafka');
  if (fromHost !== undefined) return [fromHost];
  const uri = entries.text('uri');
  if (uri === undefined) return undefined;
  return hostPortList(entries, 'uri', uri.replace(/[A-Za-z_]+:\/\//g, '').replace(/\/+(,|$)/g, '$1'));
}

function natsBinding(
  entries: BindingEntries,
  username: string | undefined,
  password: string | undefined,
  tls: TlsMaterial | undefined,
): ParsedBinding {
  const token = entries.secretText('token');
  if ((username === undefined) !== (password === undefined)) {
    throw entries.error(
      username === undefined ? 'username' : 'password',
      'username (or user) and password go together',
    );
  }
  if (token !== undefined && username !== undefined) {
    throw entries.error('token', 'a token and a username cannot both be used');
  }
  const servers = natsServers(entries);
  const useTls = tls !== undefined || (servers?.some((s) => s.startsWith('tls://')) ?? false);
  const credentials: BrokerCredentials = {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(token === undefined ? {} : { token }),
    ...(useTls ? { tls: tls ?? {} } : {}),
  };
  return servers === undefined ? { credentials } : { credentials, servers };
}

function natsServers(entries: BindingEntries): string[] | undefined {
  const uri = entries.text('uri');
  if (uri !== undefined) {
    const urls = uri
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const url of urls) {
      if (/^[A-Za-z]+:\/\/[^/@]*@/.test(url)) {
        throw entries.error('uri', 'must not embed credentials; use username/password or token');
      }
      const authority = /^(?:nats|tls|ws|wss):\/\/([^/]+)\/?$/.exec(url)?.[1];
      if (authority === undefined || (splitHostPort(authority) === undefined && !isHost(authority))) {
        throw entries.error('uri', 'must be nats://, tls://, ws:// or wss:// URLs of host[:port]');
      }
    }
    return urls;
  }
  const fromHost = hostAndPort(entries, 'nats');
  return fromHost === undefined ? undefined : [`nats://${fromHost}`];
}

function rabbitBinding(
  entries: BindingEntries,
  username: string | undefined,
  password: string | undefined,
  tls: TlsMaterial | undefined,
): ParsedBinding {
  if ((username === undefined) !== (password === undefined)) {
    throw entries.error(
      username === undefined ? 'username' : 'password',
      'username (or user) and password go together',
    );
  }
  let vhost = entries.synonym('virtual-host', 'vhost', 'text');
  let servers: string[] | undefined;
  let amqps = false;
  const addresses = entries.text('addresses');
  const uri = entries.text('uri');
  if (addresses !== undefined) servers = hostPortList(entries, 'addresses', addresses);
  else if (uri !== undefined) {
    const parsed = /^(amqps?):\/\/([^/@]+)(?:\/([^?#]*))?$/.exec(uri);
    if (/^[A-Za-z]+:\/\/[^/@]*@/.test(uri)) {
      throw entries.error('uri', 'must not embed credentials; use username and password');
    }
    const authority = parsed?.[2];
    if (
      parsed === null ||
      authority === undefined ||
      (splitHostPort(authority) === undefined && !isHost(authority))
    ) {
      throw entries.error('uri', 'must be an amqp:// or amqps:// URL of host[:port][/virtual-host]');
    }
    amqps = parsed[1] === 'amqps';
    servers = [splitHostPort(authority) === undefined ? `${authority}:${amqps ? 5671 : 5672}` : authority];
    const path = parsed[3] ? decodeURIComponent(parsed[3]) : undefined;
    if (path !== undefined && vhost !== undefined && path !== vhost) {
      throw entries.error('uri', 'names another virtual host than virtual-host');
    }
    vhost ??= path;
  } else {
    const fromHost = hostAndPort(entries, 'rabbitmq');
    if (fromHost !== undefined) servers = [fromHost];
  }
  const credentials: BrokerCredentials = {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(vhost === undefined ? {} : { vhost }),
    ...(tls !== undefined || amqps ? { tls: tls ?? {} } : {}),
  };
  return servers === undefined ? { credentials } : { credentials, servers };
}

function hostAndPort(entries: BindingEntries, protocol: BindingProtocol): string | undefined {
  const host = entries.text('host');
  const port = entries.text('port');
  if (host === undefined) {
    if (port !== undefined) throw entries.error('port', 'is set without host');
    return undefined;
  }
  if (!isHost(host)) throw entries.error('host', 'is not a host name or IP address');
  if (port !== undefined && !isPort(port)) throw entries.error('port', 'is not a port number (1-65535)');
  return joinHostPort({ host, port: port === undefined ? DEFAULT_PORT[protocol] : Number(port) });
}

function hostPortList(entries: BindingEntries, key: string, list: string): string[] {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0 || items.some((s) => splitHostPort(s) === undefined)) {
    throw entries.error(key, 'must be a comma-separated list of host:port');
  }
  return items;
}
