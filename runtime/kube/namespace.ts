/**
 * @module runtime/kube/namespace
 * The operator's own namespace (`SLUICE_NAMESPACE`) is where the leader Lease and the ClusterStream
 * binding Secrets live. A process whose namespace is missing would fail on every object later, so
 * the processes check it once at start: the dispatcher and the workers refuse to start, naming the
 * variable and the fix; `sluice dev` (local use) creates it.
 *
 * Costs: one GET at start (and a create for `sluice dev` when it is missing). RBAC: `get` on that
 * one namespace (the chart grants it by resource name).
 */
import { ConfigError, KubeApiError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { KubeClient } from './client.js';
import { Builtin } from './resources.js';

/** What the start-up check found: `unknown` when this identity may not read namespaces. */
export type NamespaceCheck = 'exists' | 'created' | 'unknown';

/** The one line a process prints when its operator namespace is missing. */
export function missingNamespaceMessage(namespace: string): string {
  return `the operator namespace ${namespace} (SLUICE_NAMESPACE) does not exist: create it with \`kubectl create namespace ${namespace}\`, or set SLUICE_NAMESPACE to the namespace Sluice runs in`;
}

/**
 * Makes sure the operator namespace exists.
 * @param create create it when missing (`sluice dev`) instead of refusing.
 * @throws ConfigError ({@link missingNamespaceMessage}) when it is missing and `create` is false.
 *   Any other failure (no rights, an API server not reachable yet) is logged and the start goes on:
 *   it proves nothing about the namespace.
 */
export async function ensureOperatorNamespace(
  kube: KubeClient,
  namespace: string,
  opts: { readonly create: boolean; readonly log: Logger },
): Promise<NamespaceCheck> {
  try {
    if (await kube.get(Builtin.Namespace, undefined, namespace, { metadataOnly: true })) return 'exists';
  } catch (err) {
    opts.log.warn({ err: messageOf(err), namespace }, 'could not check that the operator namespace exists');
    return 'unknown';
  }
  if (!opts.create) throw new ConfigError(missingNamespaceMessage(namespace));
  try {
    await kube.create(Builtin.Namespace, { metadata: { name: namespace } });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.isConflict)) throw err;
  }
  opts.log.info({ namespace }, 'created the operator namespace (SLUICE_NAMESPACE)');
  return 'created';
}
