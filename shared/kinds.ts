/**
 * @module kinds
 * The kinds of the source documents, with their apiVersions and plurals exactly as there.
 * Two groups define a kind named Stream; everything keys kinds by group and kind together.
 */
import { defineKind, KindRegistry } from '../runtime/registry.js';

export const ClusterStreamKind = defineKind({
  group: 'streaming.tanzu.vmware.com',
  version: 'v1alpha1',
  kind: 'ClusterStream',
  plural: 'clusterstreams',
  namespaced: false,
});

export const TanzuStreamKind = defineKind({
  group: 'streaming.tanzu.vmware.com',
  version: 'v1alpha1',
  kind: 'Stream',
  plural: 'streams',
  namespaced: true,
});

export const StreamBusClusterKind = defineKind({
  group: 'streambus.io',
  version: 'v1alpha1',
  kind: 'StreamBusCluster',
  plural: 'streambusclusters',
  namespaced: true,
});

export const StreamStoreKind = defineKind({
  group: 'tawon.mantisnet.com',
  version: 'v1alpha1',
  kind: 'StreamStore',
  plural: 'streamstores',
  namespaced: true,
});

export const TawonStreamKind = defineKind({
  group: 'tawon.mantisnet.com',
  version: 'v1alpha1',
  kind: 'Stream',
  plural: 'streams',
  namespaced: true,
});

export const DirectiveKind = defineKind({
  group: 'tawon.mantisnet.com',
  version: 'v1alpha1',
  kind: 'Directive',
  plural: 'directives',
  namespaced: true,
});

/** Every kind Sluice serves. */
export const SLUICE_KINDS = [
  ClusterStreamKind,
  TanzuStreamKind,
  StreamBusClusterKind,
  StreamStoreKind,
  TawonStreamKind,
  DirectiveKind,
] as const;

export function sluiceRegistry(): KindRegistry {
  return new KindRegistry(SLUICE_KINDS);
}
