{{/*
Generated from the function declarations (functions/<kind>/index.ts) by
`node dist/test/deploy/cli.js render`; do not edit. Each kind: its BullMQ queue, and what its
worker does on the API server (its declaration says why); the dispatcher: what it watches;
and the resources that are cluster-scoped (granted cluster-wide in every mode).
*/}}
{{- define "sluice.kinds" -}}
clusterstreams.streaming.tanzu.vmware.com:
  queue: "{clusterstream.streaming.tanzu.vmware.com}"
  rules:
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [clusterstreams]
      verbs: [get, patch]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [clusterstreams/status, clusterstreams/finalizers]
      verbs: [update]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [clusterstreams]
      verbs: [delete]
    - apiGroups: [streaming.tanzu.vmware.com]
      resources: [streams]
      verbs: [get]
    - apiGroups: [sluice.io]
      resources: [brokerclaims]
      verbs: [get, create, patch, delete]
    - apiGroups: [tawon.mantisnet.com]
      resources: [streams]
      verbs: [get]
  secrets: [get]
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
    - apiGroups: [storage.k8s.io]
      resources: [storageclasses]
      verbs: [get]
    - apiGroups: [""]
      resources: [pods, persistentvolumeclaims]
      verbs: [list]
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
      verbs: [get, list, watch]
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

{{- define "sluice.watchedRules" -}}
- apiGroups: [streaming.tanzu.vmware.com]
  resources: [clusterstreams, streams]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [configmaps, secrets, services]
  verbs: [list, watch]
- apiGroups: [sluice.io]
  resources: [brokerclaims]
  verbs: [list, watch]
- apiGroups: [streambus.io]
  resources: [streambusclusters]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [list, watch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [list, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, watch]
- apiGroups: [tawon.mantisnet.com]
  resources: [directives, streams, streamstores]
  verbs: [get, list, watch]
{{- end }}

{{- define "sluice.clusterScoped" -}}
[clusterstreams, clusterstreams/status, clusterstreams/finalizers, brokerclaims, storageclasses, tokenreviews]
{{- end }}
