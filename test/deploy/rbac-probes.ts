/**
 * @module test/deploy/rbac-probes
 * How the RBAC tests ask the API server what a ServiceAccount may do: each probe is a real call
 * (a server-side dry run where it would write), made with the ServiceAccount's own token, and its
 * outcome is whether authorization let it through.
 */
import type { ExecutionContext } from 'ava';
import { KubeApiError, resourcePath, type KubeClient, type ResourceType } from '../../runtime/index.js';
import { kubectl } from '../helpers/kube.js';
import type { Release } from './release.js';

export const Node: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  namespaced: false,
};
export const ClusterRole: ResourceType = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
};
export const RoleBinding: ResourceType = {
  ...ClusterRole,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  namespaced: true,
};

export type Outcome = 'allowed' | 'refused';

/** Whether the API server let the call through (any answer but 403 means authorization passed). */
export async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return 'allowed';
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403) return 'refused';
    if (err instanceof KubeApiError && err.status > 0) return 'allowed';
    throw err;
  }
}

/** A server-side dry-run create (authorized like a real one, stored nowhere). */
export function dryCreate(
  c: KubeClient,
  type: ResourceType,
  namespace: string | undefined,
  body: object,
): Promise<unknown> {
  return c.rest.request({
    method: 'POST',
    path: resourcePath(type, namespace),
    body: {
      apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
      kind: type.kind,
      ...body,
    },
    query: { dryRun: 'All' },
  });
}

export function dryDelete(
  c: KubeClient,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
): Promise<unknown> {
  return c.rest.request({
    method: 'DELETE',
    path: resourcePath(type, namespace, name),
    query: { dryRun: 'All' },
  });
}

export type Probe = [what: string, expected: Outcome, call: (c: KubeClient) => Promise<unknown>];

/** Runs each ServiceAccount's probes with its own token; logs its effective rights in `namespace`. */
export async function runProbes(
  t: ExecutionContext,
  release: Release,
  probes: Record<string, Probe[]>,
  namespace: string,
): Promise<void> {
  for (const [sa, list] of Object.entries(probes)) {
    const client = await release.clientFor(sa);
    const rights = await kubectl([
      'auth',
      'can-i',
      '--list',
      `--as=system:serviceaccount:${release.namespace}:${sa}`,
      '-n',
      namespace,
    ]);
    // Resource rows only: every authenticated user's discovery URLs and self-reviews are left out.
    const rows = rights.split('\n').filter((l) => /^\S/.test(l) && !l.includes('selfsubject'));
    t.log(`effective rights of ${sa} in namespace ${namespace}:\n${rows.join('\n')}`);
    for (const [what, expected, call] of list) {
      t.is(await outcome(() => call(client)), expected, `${sa}: ${what}`);
    }
  }
}
