/**
 * @module runtime/kube/resources
 * Resource types: what the REST paths of a kind are built from. The built-in kinds Sluice touches
 * are listed here; custom kinds come from the kind registry.
 */
import { KubeApiError } from '../errors.js';

export interface ResourceType {
  /** API group; `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural used in REST paths. */
  readonly plural: string;
  readonly namespaced: boolean;
}

export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Splits `group/version` (or a core `v1`) into its parts. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `/api/v1` or `/apis/<group>/<version>` */
function groupPath(t: ResourceType): string {
  return t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
}

/**
 * Refuses a path segment that a URL parser would resolve (`.`, `..`, or empty): `secrets/..`
 * would address the namespace itself. No Kubernetes object has such a name, but names reach the
 * client from specs.
 */
function segment(what: string, value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new KubeApiError(400, 'InvalidName', `${JSON.stringify(value)} is not a valid ${what}`);
  }
  return encodeURIComponent(value);
}

/**
 * The REST path of a collection (no name) or of one object.
 * A namespaced type without a namespace gives the all-namespaces collection.
 */
export function resourcePath(
  t: ResourceType,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const ns =
    t.namespaced && namespace !== undefined && namespace !== ''
      ? `/namespaces/${segment('namespace', namespace)}`
      : '';
  const obj = name === undefined ? '' : `/${segment(`${t.kind} name`, name)}`;
  const sub = subresource && name !== undefined ? `/${subresource}` : '';
  return `${groupPath(t)}${ns}/${t.plural}${obj}${sub}`;
}

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({
  group: '',
  version: 'v1',
  kind,
  plural,
  namespaced,
});

/** Built-in (and common add-on) kinds that Sluice reads or writes. */
export const Builtin = {
  Namespace: core('Namespace', 'namespaces', false),
  ConfigMap: core('ConfigMap', 'configmaps'),
  Secret: core('Secret', 'secrets'),
  Service: core('Service', 'services'),
  Pod: core('Pod', 'pods'),
  PersistentVolumeClaim: core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  Event: core('Event', 'events'),
  ServiceAccount: core('ServiceAccount', 'serviceaccounts'),
  StatefulSet: {
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
  },
  Deployment: { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  PodDisruptionBudget: {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
  },
  NetworkPolicy: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
  },
  Lease: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  CustomResourceDefinition: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  ServiceMonitor: {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    namespaced: true,
  },
  StorageClass: {
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    plural: 'storageclasses',
    namespaced: false,
  },
  TokenReview: {
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'TokenReview',
    plural: 'tokenreviews',
    namespaced: false,
  },
} as const satisfies Record<string, ResourceType>;
