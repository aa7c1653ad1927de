/**
 * @module functions/streambus-cluster/checks
 * Read-only checks of what a cluster depends on but does not own: the Secrets its TLS and JWT
 * settings name, the StorageClass of its claims, the ServiceMonitor kind of the Prometheus
 * Operator, and whether the scheduler can place its broker pods. A failed check is a warning:
 * the brokers are still applied (they start once the dependency appears), while the cluster
 * reports `Ready=False` and `Degraded=True` with the check's reason and is reconciled again
 * every 30 s (every 10 s while not Running), since Sluice watches none of these.
 */
import {
  Builtin,
  KubeApiError,
  conditionsOf,
  isRecord,
  type KubeObject,
  type ReconcileContext,
} from '../../runtime/index.js';
import { jwtSecretName } from './parse.js';
import type { StreamBusClusterSpec } from './spec.js';
import type { Problem } from './status.js';
import { selectorLabels } from './topology.js';

/** Whether the API server serves monitoring.coreos.com/v1 ServiceMonitors (the CRD is installed). */
export async function serviceMonitorServed(ctx: ReconcileContext): Promise<boolean> {
  try {
    const list = await ctx.kube.rest.request<{ resources?: { name?: string }[] }>({
      path: `/apis/${Builtin.ServiceMonitor.group}/${Builtin.ServiceMonitor.version}`,
    });
    return (list.resources ?? []).some((r) => r.name === Builtin.ServiceMonitor.plural);
  } catch (err) {
    if (err instanceof KubeApiError && err.isNotFound) return false;
    throw err;
  }
}

/** The warning for a ServiceMonitor that cannot be created. */
export const SERVICE_MONITOR_CRD_MISSING: Problem = {
  reason: 'ServiceMonitorCRDMissing',
  message:
    'spec.observability.metrics.serviceMonitor is true but the API server does not serve monitoring.coreos.com/v1 ServiceMonitors: install the Prometheus Operator CRDs or set serviceMonitor to false',
};

/** The Secrets the spec mounts, with the field that names each. */
export function secretsNamed(spec: StreamBusClusterSpec): [field: string, name: string][] {
  const tls = spec.security.tls;
  const out: [string, string][] = [];
  if (tls.enabled && tls.certSecretName) out.push(['spec.security.tls.certSecretName', tls.certSecretName]);
  if (tls.enabled && tls.caSecretName) out.push(['spec.security.tls.caSecretName', tls.caSecretName]);
  const jwt = jwtSecretName(spec);
  if (jwt) out.push(['spec.security.authentication.jwtSecretName', jwt]);
  return out;
}

/** A warning naming each Secret of the spec that does not exist in `namespace` (metadata-only reads). */
export async function missingSecrets(
  spec: StreamBusClusterSpec,
  namespace: string,
  ctx: ReconcileContext,
): Promise<Problem | undefined> {
  const missing: string[] = [];
  for (const [field, name] of secretsNamed(spec)) {
    const found = await ctx.kube.get(Builtin.Secret, namespace, name, { metadataOnly: true });
    if (!found) missing.push(`Secret ${name} (${field})`);
  }
  if (missing.length === 0) return undefined;
  return {
    reason: 'SecretNotFound',
    message: `the brokers cannot start until ${missing.join(' and ')} exist${missing.length === 1 ? 's' : ''} in namespace ${namespace}`,
  };
}

/** A warning when the StorageClass of spec.storage.class does not exist (its claims would never bind). */
export async function missingStorageClass(
  spec: StreamBusClusterSpec,
  ctx: ReconcileContext,
): Promise<Problem | undefined> {
  const name = spec.storage.class;
  if (await ctx.kube.get(Builtin.StorageClass, undefined, name, { metadataOnly: true })) return undefined;
  return {
    reason: 'StorageClassNotFound',
    message: `StorageClass ${name} (spec.storage.class) does not exist: the brokers' data and Raft claims cannot bind until it does`,
  };
}

/**
 * The scheduler's words for a pod it could not place because its claims were not bound yet. The
 * condition has no structured reason beyond `Unschedulable`, so this is the one place its text is
 * read: a verdict about unbound claims is not about the nodes, it goes stale the moment they bind
 * (until the scheduler retries the pod), and StorageClassNotFound already says why claims stay
 * unbound.
 */
const UNBOUND_CLAIMS = /unbound immediate PersistentVolumeClaims/;

/** Why the scheduler left `pod` unplaced (its PodScheduled=False/Unschedulable message), if it did. */
export function unschedulableMessage(pod: KubeObject): string | undefined {
  const scheduled = conditionsOf(pod.status).find((c) => c.type === 'PodScheduled');
  if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return undefined;
  const message = scheduled.message?.trim() || 'no reason given';
  return UNBOUND_CLAIMS.test(message) ? undefined : message;
}

/** The names of the claims a pod mounts. */
function claimsOf(pod: KubeObject): string[] {
  const volumes =
    isRecord(pod.spec) && Array.isArray(pod.spec.volumes) ? (pod.spec.volumes as unknown[]) : [];
  return volumes.flatMap((v) =>
    isRecord(v) && isRecord(v.persistentVolumeClaim) && typeof v.persistentVolumeClaim.claimName === 'string'
      ? [v.persistentVolumeClaim.claimName]
      : [],
  );
}

/**
 * A warning naming the broker pods the scheduler cannot place, with its reasons (for example
 * `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector`), and the
 * nodeSelector the spec asks for. A pod whose claims are not all in `bound` is left out: it
 * waits for them (they bind in a moment, or StorageClassNotFound says why not), and the
 * scheduler's verdict on it would change once they do.
 */
export function unschedulable(
  pods: readonly KubeObject[],
  bound: ReadonlySet<string>,
  spec: StreamBusClusterSpec,
): Problem | undefined {
  const byMessage = new Map<string, string[]>();
  for (const pod of pods) {
    if (!claimsOf(pod).every((c) => bound.has(c))) continue;
    const message = unschedulableMessage(pod);
    if (message === undefined) continue;
    byMessage.set(message, [...(byMessage.get(message) ?? []), pod.metadata.name ?? '?']);
  }
  if (byMessage.size === 0) return undefined;
  const selector = Object.entries(spec.nodeSelector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const parts = [...byMessage.entries()]
    .sort(([, a], [, b]) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1))
    .map(
      ([message, names]) => `broker pod${names.length > 1 ? 's' : ''} ${names.sort().join(', ')}: ${message}`,
    );
  return {
    reason: 'Unschedulable',
    message: `the scheduler cannot place ${parts.join('; ')}${selector ? ` (spec.nodeSelector asks for nodes labelled ${selector})` : ''}`,
  };
}

/** {@link unschedulable} for the broker pods of the cluster `name` (a list of its pods and one of its claims). */
export async function unschedulablePods(
  name: string,
  namespace: string,
  spec: StreamBusClusterSpec,
  ctx: ReconcileContext,
): Promise<Problem | undefined> {
  const selector = Object.entries(selectorLabels(name))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await ctx.kube.listAll(Builtin.Pod, namespace, { labelSelector: selector });
  if (!pods.some((p) => unschedulableMessage(p) !== undefined)) return undefined;
  const claims = await ctx.kube.listAll(Builtin.PersistentVolumeClaim, namespace, {
    labelSelector: selector,
  });
  const bound = new Set(
    claims.filter((c) => isRecord(c.status) && c.status.phase === 'Bound').map((c) => c.metadata.name ?? ''),
  );
  return unschedulable(pods, bound, spec);
}

/** One warning from several: the first one's reason, every message. */
export function combine(problems: readonly (Problem | undefined)[]): Problem | undefined {
  const present = problems.filter((p): p is Problem => p !== undefined);
  const first = present[0];
  if (!first) return undefined;
  return { reason: first.reason, message: present.map((p) => p.message).join('; ') };
}
