/**
 * @module functions/streambus-cluster/parse
 * From the object the API server returns to a validated {@link StreamBusClusterSpec}.
 *
 * The registration's `parse` ({@link asCluster}) only checks the object's identity; the spec is
 * parsed by {@link parseSpec} inside reconcile, so that an invalid spec can still turn the phase
 * to Failed before the TerminalError reaches the worker host.
 *
 * Besides the per-field checks of the classes, a spec is rejected (TerminalError `InvalidSpec`,
 * every problem listed) when:
 * - the name cannot name a Service and a StatefulSet (DNS-1035 label, at most 52 characters);
 * - two of port, httpPort, grpcPort and the Raft port 7000 coincide;
 * - TLS is enabled without certSecretName;
 * - authentication is enabled without a method, with a method outside allowedMethods, or with
 *   mtls while TLS is off, or with jwtSecretName while jwt is not among the methods;
 * - tracing is enabled without an endpoint;
 * - a ServiceMonitor is asked for while metrics are disabled;
 * - podLabels change a selector label, or podAnnotations set the config-hash annotation;
 * - two tenantOverrides name the same tenant;
 * - an untyped key of spec.config cannot pass through to the broker configuration (it would
 *   override what Sluice owns, spells a typed setting, is not a setting name, or is set twice:
 *   see `spec-config.ts`).
 */
import { TerminalError, isRecord, type KubeObject, type ObjectMeta } from '../../runtime/index.js';
import { parseWith } from '../../runtime/validation.js';
import { StreamBusClusterSpec, passThroughProblems, passThroughTree, type AuthMethod } from './spec.js';
import { CONFIG_HASH_ANNOTATION, RAFT_PORT, selectorLabels } from './topology.js';

/** A StreamBusCluster as the reconciler sees it: a namespaced object with a name. */
export interface StreamBusCluster extends KubeObject {
  readonly metadata: ObjectMeta & { readonly name: string; readonly namespace: string };
}

/** The longest name whose StatefulSet pods still get a valid controller-revision-hash label. */
export const MAX_NAME_LENGTH = 52;

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Narrows an object read from the API server (the registration's `parse`).
 * @throws TerminalError `InvalidObject` when it has no name or namespace.
 */
export function asCluster(obj: KubeObject): StreamBusCluster {
  const { name, namespace } = obj.metadata;
  if (!name || !namespace) {
    throw new TerminalError('InvalidObject', 'a StreamBusCluster needs a name and a namespace');
  }
  return obj as StreamBusCluster;
}

/** The primary authentication method: `method`, else the first allowed one. */
export function authMethod(spec: StreamBusClusterSpec): AuthMethod | undefined {
  const auth = spec.security.authentication;
  return auth.method ?? auth.allowedMethods?.[0];
}

/** Every method the brokers accept: allowedMethods plus the primary one. */
function authMethods(spec: StreamBusClusterSpec): Set<AuthMethod> {
  const method = authMethod(spec);
  return new Set([...(spec.security.authentication.allowedMethods ?? []), ...(method ? [method] : [])]);
}

/**
 * The JWT Secret the brokers mount: `jwtSecretName` while authentication is enabled with jwt among
 * its methods; `undefined` otherwise (a disabled section reaches nothing).
 */
export function jwtSecretName(spec: StreamBusClusterSpec): string | undefined {
  const auth = spec.security.authentication;
  return auth.enabled && auth.jwtSecretName && authMethods(spec).has('jwt') ? auth.jwtSecretName : undefined;
}

function portProblems(spec: StreamBusClusterSpec): string[] {
  const ports: [string, number][] = [
    ['config.port', spec.config.port],
    ['config.httpPort', spec.config.httpPort],
    ['config.grpcPort', spec.config.grpcPort],
    ['the Raft port', RAFT_PORT],
  ];
  const out: string[] = [];
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      const [a, pa] = ports[i] ?? ['', 0];
      const [b, pb] = ports[j] ?? ['', 0];
      if (pa === pb) out.push(`spec.${a} and ${j === 3 ? b : `spec.${b}`} are both ${pa}`);
    }
  }
  return out;
}

function securityProblems(spec: StreamBusClusterSpec): string[] {
  const out: string[] = [];
  const { tls, authentication: auth } = spec.security;
  if (tls.enabled && !tls.certSecretName) {
    out.push('spec.security.tls.enabled needs spec.security.tls.certSecretName');
  }
  if (auth.enabled) {
    const method = authMethod(spec);
    if (!method) out.push('spec.security.authentication.enabled needs a method');
    if (auth.method && auth.allowedMethods && !auth.allowedMethods.includes(auth.method)) {
      out.push(`spec.security.authentication.method ${auth.method} is not in allowedMethods`);
    }
    const methods = authMethods(spec);
    if (methods.has('mtls') && !tls.enabled) {
      out.push('spec.security.authentication with mtls needs spec.security.tls.enabled');
    }
    if (auth.jwtSecretName && !methods.has('jwt')) {
      out.push('spec.security.authentication.jwtSecretName needs jwt as the method or among allowedMethods');
    }
  }
  return out;
}

function podMetadataProblems(spec: StreamBusClusterSpec, name: string): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(selectorLabels(name))) {
    const given = spec.podLabels?.[key];
    if (given !== undefined && given !== value) {
      out.push(`spec.podLabels.${key} must be ${value} (Sluice selects the broker pods by it)`);
    }
  }
  if (spec.podAnnotations && CONFIG_HASH_ANNOTATION in spec.podAnnotations) {
    out.push(`spec.podAnnotations.${CONFIG_HASH_ANNOTATION} is reserved for Sluice`);
  }
  return out;
}

/** Every cross-field problem of `spec` for a cluster named `name` (empty when it can work). */
export function specProblems(spec: StreamBusClusterSpec, name: string): string[] {
  const out: string[] = [];
  if (!DNS_1035.test(name) || name.length > MAX_NAME_LENGTH) {
    out.push(
      `metadata.name must be a DNS-1035 label of at most ${MAX_NAME_LENGTH} characters (it names Services and a StatefulSet)`,
    );
  }
  out.push(...portProblems(spec), ...securityProblems(spec), ...podMetadataProblems(spec, name));
  const { tracing, metrics } = spec.observability;
  if (tracing.enabled && !tracing.endpoint) {
    out.push('spec.observability.tracing.enabled needs spec.observability.tracing.endpoint');
  }
  if (metrics.serviceMonitor && !metrics.enabled) {
    out.push('spec.observability.metrics.serviceMonitor needs spec.observability.metrics.enabled');
  }
  const tenants = spec.multiTenancy.tenantOverrides.map((o) => o.tenantId);
  const dupes = tenants.filter((t, i) => tenants.indexOf(t) !== i);
  if (dupes.length > 0) {
    out.push(`spec.multiTenancy.tenantOverrides names ${[...new Set(dupes)].join(', ')} more than once`);
  }
  return out;
}

/**
 * Validates the spec of the cluster named `name`; an absent spec is an empty one (all defaults).
 * @throws TerminalError `InvalidSpec` listing every problem.
 */
export function parseSpec(raw: unknown, name: string): StreamBusClusterSpec {
  const spec = parseWith(StreamBusClusterSpec, raw === undefined || raw === null ? {} : raw, 'spec');
  const rawConfig = isRecord(raw) ? raw.config : undefined;
  const problems = [...specProblems(spec, name), ...passThroughProblems(rawConfig)];
  if (problems.length > 0) throw new TerminalError('InvalidSpec', `invalid spec: ${problems.join('; ')}`);
  spec.passThrough = passThroughTree(rawConfig);
  return spec;
}

/** The previous `status` of an object, as a record (empty when absent or malformed). */
export function statusRecord(obj: KubeObject): Record<string, unknown> {
  return isRecord(obj.status) ? obj.status : {};
}
