{{/*
Helpers over the generated part of the chart (_generated.tpl: each kind's queue and worker rules,
from the function declarations). Why each verb is needed is written beside each declaration's
`access` (functions/<kind>/index.ts).
*/}}


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
{{ include "sluice.watchedRules" . }}
{{- if .Values.config.tokenReview }}
- apiGroups: [authentication.k8s.io]
  resources: [tokenreviews]
  verbs: [create]
{{- end }}
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
