/**
 * @module functions/streambus-cluster/checks
 * Read-only checks of what a cluster depends on but does not own: the Secrets its TLS and JWT
 * settings name, and the ServiceMonitor kind of the Prometheus Operator. A failed check is a warning: the
 * brokers are still applied (they start once the dependency appears), while the cluster reports
 * `Ready=False` and `Degraded=True` with the check's reason and is reconciled again every 30 s,
 * since Sluice watches neither Secrets nor CRDs.
 */
import { Builtin, KubeApiError, type ReconcileContext } from '../../runtime/index.js';
import { jwtSecretName } from './parse.js';
import type { StreamBusClusterSpec } from './spec.js';
import type { Problem } from './status.js';

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

/** One warning from several: the first one's reason, every message. */
export function combine(problems: readonly (Problem | undefined)[]): Problem | undefined {
  const present = problems.filter((p): p is Problem => p !== undefined);
  const first = present[0];
  if (!first) return undefined;
  return { reason: first.reason, message: present.map((p) => p.message).join('; ') };
}
