{{/*
The kinds Sluice reconciles (plural.group, as `sluice worker --kinds` takes them): the BullMQ queue
of each (shared/registry.ts: `{<kind>.<group>}`), and what its worker does on the API server, as
RBAC rules. A worker group's ClusterRole is the union of its kinds' `rules`; `secrets` are the Secret
verbs it needs in the namespaces of the objects (bound cluster-wide, or per rbac.secretNamespaces);
`operatorSecrets` the Secret verbs it needs in the release namespace (a Role).

Where each verb comes from (server-side apply is a PATCH that may create, so it needs both):
- every kind: get (the worker reads the object), patch (finalizers, JSON patch fenced by
  resourceVersion), update on <kind>/status (status writes, fenced by resourceVersion), update on
  <kind>/finalizers (owner references with blockOwnerDeletion, where the
  OwnerReferencesPermissionEnforcement admission plugin is on).
- ClusterStream: delete (an auto-provisioned ClusterStream released with reclaimPolicy Delete);
  tanzu Streams get (the claimant check); BrokerClaims get/create/patch/delete (who owns a topic:
  claimed, marked adopted, released, a stale one evicted); tawon Streams get (whether the holder of
  a claim still exists); Secrets in the release namespace: get (broker credentials), create/patch
  (its binding Secret), delete (reclaimed).
- Stream (tanzu): ClusterStreams get/create/patch (claims and auto-provisioning); Secrets in
  the release namespace: get (the ClusterStream's binding); in the Stream's namespace create/patch
  (its own binding Secret).
- StreamBusCluster: ConfigMaps, Services, StatefulSets, PodDisruptionBudgets create/patch (applied),
  StatefulSets get (status), NetworkPolicies and ServiceMonitors get/create/patch/delete (applied or
  pruned); Secrets get in its namespace (the TLS Secrets it mounts must exist; metadata only).
- StreamStore: ConfigMaps, Services, StatefulSets create/patch; Tawon Streams list (its namespace).
- Stream (tawon): StreamStores get; BrokerClaims get/create/patch/delete (who owns a JetStream
  stream); ClusterStreams get (whether the holder of a claim still exists).
- Directive: Tawon Streams get/list/create/patch/delete (the Streams it creates and deletes).
*/}}
{{- define "sluice.kinds" -}}
clusterstreams.streaming.tanzu.vmware.com:
  queue: "{clusterstream.streaming.tanzu.vmware.com}"
  rules:
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [clusterstreams]
      verbs: [get, patch, delete]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [clusterstreams/status, clusterstreams/finalizers]
      verbs: [update]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [streams]
      verbs: [get]
    - apiGroups: [sluice.io]
      resources: [brokerclaims]
      verbs: [get, create, patch, delete]
    - apiGroups: [tawon.mantisnet.com]
      resources: [streams]
      verbs: [get]
  secrets: []
  operatorSecrets: [get, create, patch, delete]
streams.streaming.tanzu.vmware.com:
  queue: "{stream.streaming.tanzu.vmware.com}"
  rules:
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [streams]
      verbs: [get, patch]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [streams/status, streams/finalizers]
      verbs: [update]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [clusterstreams]
      verbs: [get, create, patch]
  secrets: [create, patch]
  operatorSecrets: [get]
streambusclusters.streambus.io:
  queue: "{streambuscluster.streambus.io}"
  rules:
    - apiGroups: [streambus.io]
      resources: [streambusclusters]
      verbs: [get, patch]
    - apiGroups: [streambus.io]
      resources: [streambusclusters/status, streambusclusters/finalizers]
      verbs: [update]
    - apiGroups: [""]
      resources: [configmaps, services]
      verbs: [create, patch]
    - apiGroups: [apps]
      resources: [statefulsets]
      verbs: [get, create, patch]
    - apiGroups: [policy]
      resources: [poddisruptionbudgets]
      verbs: [create, patch]
    - apiGroups: [networking.k8s.io]
      resources: [networkpolicies]
      verbs: [get, create, patch, delete]
    - apiGroups: [monitoring.coreos.com]
      resources: [servicemonitors]
      verbs: [get, create, patch, delete]
  secrets: [get]
  operatorSecrets: []
streamstores.tawon.mantisnet.com:
  queue: "{streamstore.tawon.mantisnet.com}"
  rules:
    - apiGroups: [tawon.mantisnet.com]
      resources: [streamstores]
      verbs: [get, patch]
    - apiGroups: [tawon.mantisnet.com]
      resources: [streamstores/status, streamstores/finalizers]
      verbs: [update]
    - apiGroups: [""]
      resources: [configmaps, services]
      verbs: [create, patch]
    - apiGroups: [apps]
      resources: [statefulsets]
      verbs: [create, patch]
    - apiGroups: [tawon.mantisnet.com]
      resources: [streams]
      verbs: [list]
  secrets: []
  operatorSecrets: []
streams.tawon.mantisnet.com:
  queue: "{stream.tawon.mantisnet.com}"
  rules:
    - apiGroups: [tawon.mantisnet.com]
      resources: [streams]
      verbs: [get, patch]
    - apiGroups: [tawon.mantisnet.com]
      resources: [streams/status, streams/finalizers]
      verbs: [update]
    - apiGroups: [tawon.mantisnet.com]
      resources: [streamstores]
      verbs: [get]
    - apiGroups: [sluice.io]
      resources: [brokerclaims]
      verbs: [get, create, patch, delete]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [clusterstreams]
      verbs: [get]
  secrets: []
  operatorSecrets: []
directives.tawon.mantisnet.com:
  queue: "{directive.tawon.mantisnet.com}"
  rules:
    - apiGroups: [tawon.mantisnet.com]
      resources: [directives]
      verbs: [get, patch]
    - apiGroups: [tawon.mantisnet.com]
      resources: [directives/status, directives/finalizers]
      verbs: [update]
    - apiGroups: [tawon.mantisnet.com]
      resources: [streams]
      verbs: [get, list, create, patch, delete]
  secrets: []
  operatorSecrets: []
{{- end }}

{{/* The Secret verbs a worker group needs: key "secrets" or "operatorSecrets". Sorted, unique. */}}
{{- define "sluice.groupSecretVerbs" -}}
{{- $kinds := include "sluice.kinds" .root | fromYaml }}
{{- $verbs := list }}
{{- range .group.kinds }}
{{- $verbs = concat $verbs (get (get $kinds .) $.key) }}
{{- end }}
{{- $verbs | uniq | sortAlpha | join "," }}
{{- end }}

{{/* What the dispatcher reads (all kinds are registered in the image; see rbac-dispatcher.yaml). */}}
{{- define "sluice.dispatcherRules" -}}
- apiGroups: [streaming.tanzu.vmware.com]
  resources: [clusterstreams, streams]
  verbs: [get, list, watch]
- apiGroups: [streambus.io]
  resources: [streambusclusters]
  verbs: [get, list, watch]
- apiGroups: [tawon.mantisnet.com]
  resources: [streamstores, streams, directives]
  verbs: [get, list, watch]
- apiGroups: [sluice.io]
  resources: [brokerclaims]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [configmaps, secrets, services]
  verbs: [list, watch]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [list, watch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [list, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, watch]
{{- if .Values.config.tokenReview }}
- apiGroups: [authentication.k8s.io]
  resources: [tokenreviews]
  verbs: [create]
{{- end }}
{{- end }}

{{/* The resources in the rules that are cluster-scoped: granted cluster-wide in every mode. */}}
{{- define "sluice.clusterScoped" -}}
[clusterstreams, clusterstreams/status, clusterstreams/finalizers, brokerclaims, tokenreviews]
{{- end }}

{{/*
The part of .rules on cluster-scoped resources (.cluster true) or on namespaced ones (false),
one flow-style rule per input rule that keeps any resource.
*/}}
{{- define "sluice.scopedRules" -}}
{{- $clusterScoped := include "sluice.clusterScoped" . | fromYamlArray }}
{{- $want := .cluster }}
{{- range .rules }}
{{- $resources := list }}
{{- range .resources }}
{{- if eq (has . $clusterScoped) $want }}{{ $resources = append $resources . }}{{ end }}
{{- end }}
{{- if $resources }}
- apiGroups: {{ include "sluice.flow" .apiGroups }}
  resources: {{ include "sluice.flow" $resources }}
  verbs: {{ include "sluice.flow" .verbs }}
{{- end }}
{{- end }}
{{- end }}
