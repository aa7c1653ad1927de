/**
 * @module brokers/address
 * Broker addresses: `host:port` splitting (IPv6 in brackets) and the endpoint-override rewrite
 * (`OperatorSettings.endpointOverrides`) applied before every dial. An override's `from` is an exact
 * `host:port`, or `*.suffix:port` for every host under a domain on that port (for example
 * `*.svc:4222`, every in-cluster NATS Service, when Sluice runs outside the cluster). An exact
 * entry wins over a pattern; among patterns, the longest suffix wins.
 */

/** A `host:port` pair; `host` is bare (no brackets) for IPv6. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Whether `port` is a TCP port number (1-65535) written in decimal. */
export function isPort(port: string): boolean {
  return /^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}

/** Whether `host` is a DNS name, an IPv4 address or a bare IPv6 address. */
export function isHost(host: string): boolean {
  return host.length > 0 && host.length <= 253 && (HOST.test(host) || /^[0-9A-Fa-f:.]+$/.test(host));
}

/**
 * Splits `host:port` (or `[v6]:port`); `undefined` when it is not of that form.
 * @example splitHostPort('kafka-0.kafka:9092') // { host: 'kafka-0.kafka', port: 9092 }
 */
export function splitHostPort(hostPort: string): HostPort | undefined {
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:([0-9]+)$/.exec(hostPort);
  if (v6?.[1] !== undefined && v6[2] !== undefined) {
    return isPort(v6[2]) ? { host: v6[1], port: Number(v6[2]) } : undefined;
  }
  const at = hostPort.lastIndexOf(':');
  if (at <= 0) return undefined;
  const host = hostPort.slice(0, at);
  const port = hostPort.slice(at + 1);
  if (host.includes(':') || !isHost(host) || !isPort(port)) return undefined;
  return { host, port: Number(port) };
}

/** Formats a {@link HostPort} back to `host:port`, bracketing IPv6. */
export function joinHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Rewrites a `host:port` through the override map (see the module comment); others are unchanged. */
export function resolveHostPort(hostPort: string, overrides: ReadonlyMap<string, string>): string {
  const exact = overrides.get(hostPort);
  if (exact !== undefined || overrides.size === 0) return exact ?? hostPort;
  const target = splitHostPort(hostPort);
  if (!target) return hostPort;
  let best: { readonly suffix: string; readonly to: string } | undefined;
  for (const [from, to] of overrides) {
    if (!from.startsWith('*.')) continue;
    const pattern = splitHostPort(from.slice(2));
    if (!pattern || pattern.port !== target.port) continue;
    const suffix = `.${pattern.host.toLowerCase()}`;
    if (target.host.toLowerCase().endsWith(suffix) && suffix.length > (best?.suffix.length ?? 0))
      best = { suffix, to };
  }
  return best?.to ?? hostPort;
}

/**
 * Rewrites the `host:port` of an address that is either bare (`host:port`) or a URL
 * (`nats://host:port`, `tls://user@host:port/path`): scheme, user info and path are kept.
 */
export function resolveAddress(address: string, overrides: ReadonlyMap<string, string>): string {
  const url = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/@]*@)?([^/]+)(.*)$/.exec(address);
  if (url === null) return resolveHostPort(address, overrides);
  const [, scheme = '', userInfo = '', authority = '', rest = ''] = url;
  return `${scheme}${userInfo}${resolveHostPort(authority, overrides)}${rest}`;
}

/** The host part of a bare or URL address, for TLS server-name checks; `undefined` if unparsable. */
export function hostOf(address: string): string | undefined {
  const url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/@]*@)?([^/]+)/.exec(address);
  const authority = url?.[1] ?? address;
  return splitHostPort(authority)?.host ?? (isHost(authority) ? authority : undefined);
}
