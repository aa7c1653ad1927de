{{/* Names, labels and shared pieces of the Sluice chart. */}}

{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The base name of every object: the release name when it already says "sluice". */}}
{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sluice.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ include "sluice.chart" . }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sluice
{{- end }}

{{- define "sluice.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "sluice.dispatcherName" -}}
{{- printf "%s-dispatcher" (include "sluice.fullname" .) }}
{{- end }}

{{- define "sluice.redisName" -}}
{{- printf "%s-redis" (include "sluice.fullname" .) }}
{{- end }}

{{- define "sluice.configName" -}}
{{- printf "%s-config" (include "sluice.fullname" .) }}
{{- end }}

{{- define "sluice.apiTokenSecret" -}}
{{- default (printf "%s-api-token" (include "sluice.fullname" .)) .Values.apiToken.existingSecret }}
{{- end }}

{{/* Whether the bundled Redis runs (no external Redis given). */}}
{{- define "sluice.bundledRedis" -}}
{{- $r := .Values.redis }}
{{- if and (not $r.url) (not $r.urlSecret.name) (not $r.sentinel.addresses) (not $r.cluster.nodes) }}true{{- end }}
{{- end }}

{{/* A variable from a key of the Redis auth Secret, when the key is set. */}}
{{- define "sluice.redisSecretEnv" -}}
{{- if .key }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}
{{- end }}

{{/*
The Redis variables: Sentinel (addresses and master name), Cluster (seed nodes), or one server
(SLUICE_REDIS_URL: a value, a Secret reference, or the bundled Redis Service); credentials and TLS.
*/}}
{{- define "sluice.redisEnv" -}}
{{- $r := .Values.redis }}
{{- $ways := 0 }}
{{- if or $r.url $r.urlSecret.name }}{{ $ways = add1 $ways }}{{ end }}
{{- if $r.sentinel.addresses }}{{ $ways = add1 $ways }}{{ end }}
{{- if $r.cluster.nodes }}{{ $ways = add1 $ways }}{{ end }}
{{- if gt $ways 1 }}{{ fail "redis: set only one of url/urlSecret, sentinel.addresses and cluster.nodes" }}{{ end }}
{{- if $r.sentinel.addresses }}
{{- if not $r.sentinel.masterName }}{{ fail "redis.sentinel.masterName must name the master group the sentinels monitor" }}{{ end }}
- name: SLUICE_REDIS_SENTINELS
  value: {{ join "," $r.sentinel.addresses | quote }}
- name: SLUICE_REDIS_SENTINEL_MASTER
  value: {{ $r.sentinel.masterName | quote }}
{{- else if $r.cluster.nodes }}
- name: SLUICE_REDIS_CLUSTER_NODES
  value: {{ join "," $r.cluster.nodes | quote }}
{{- else }}
{{- include "sluice.redisUrlEnv" . }}
{{- end }}
{{- if and $r.auth.existingSecret (or $r.sentinel.addresses $r.cluster.nodes) }}
{{- include "sluice.redisSecretEnv" (dict "name" "SLUICE_REDIS_USERNAME" "secret" $r.auth.existingSecret "key" $r.auth.usernameKey) }}
{{- include "sluice.redisSecretEnv" (dict "name" "SLUICE_REDIS_PASSWORD" "secret" $r.auth.existingSecret "key" $r.auth.passwordKey) }}
{{- if $r.sentinel.addresses }}
{{- include "sluice.redisSecretEnv" (dict "name" "SLUICE_REDIS_SENTINEL_USERNAME" "secret" $r.auth.existingSecret "key" $r.auth.sentinelUsernameKey) }}
{{- include "sluice.redisSecretEnv" (dict "name" "SLUICE_REDIS_SENTINEL_PASSWORD" "secret" $r.auth.existingSecret "key" $r.auth.sentinelPasswordKey) }}
{{- end }}
{{- end }}
{{- if $r.tls.enabled }}
- name: SLUICE_REDIS_TLS
  value: "true"
{{- end }}
{{- if $r.tls.caSecret.name }}
- name: SLUICE_REDIS_TLS_CA_FILE
  value: {{ printf "/etc/sluice/redis-ca/%s" $r.tls.caSecret.key | quote }}
{{- end }}
{{- if $r.sentinel.addresses }}
- name: SLUICE_REDIS_SENTINEL_TLS
  value: {{ ternary "true" "false" (and $r.tls.sentinels true) | quote }}
{{- end }}
{{- end }}

{{/* SLUICE_REDIS_URL: a value, a Secret reference, or the bundled Redis Service. */}}
{{- define "sluice.redisUrlEnv" -}}
- name: SLUICE_REDIS_URL
{{- if .Values.redis.urlSecret.name }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.urlSecret.name }}
      key: {{ .Values.redis.urlSecret.key }}
{{- else if .Values.redis.url }}
  value: {{ .Values.redis.url | quote }}
{{- else }}
  value: {{ printf "redis://%s:6379" (include "sluice.redisName" .) | quote }}
{{- end }}
{{- end }}

{{/* The environment every Sluice container shares: the ConfigMap, the namespace, Redis. */}}
{{- define "sluice.commonEnv" -}}
- name: SLUICE_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: SLUICE_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{ include "sluice.redisEnv" . }}
{{- with .Values.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The pod-level pieces every Sluice pod shares. */}}
{{- define "sluice.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* A worker group's object name. */}}
{{- define "sluice.workerName" -}}
{{- printf "%s-worker-%s" (include "sluice.fullname" .root) .group.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Checks the worker groups: DNS names, known kinds, each kind in one group at most. */}}
{{- define "sluice.checkGroups" -}}
{{- $kinds := include "sluice.kinds" . | fromYaml }}
{{- $seen := dict }}
{{- range $group := .Values.workers.groups }}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" (toString .name)) }}
{{- fail (printf "workers.groups: name %q must be a DNS label" (toString .name)) }}
{{- end }}
{{- if not .kinds }}
{{- fail (printf "workers.groups[%s]: kinds is empty" .name) }}
{{- end }}
{{- range .kinds }}
{{- if not (hasKey $kinds .) }}
{{- fail (printf "workers.groups: unknown kind %q; known kinds: %s" . (keys $kinds | sortAlpha | join ", ")) }}
{{- end }}
{{- if hasKey $seen . }}
{{- fail (printf "workers.groups: kind %q is in groups %s and %s" . (get $seen .) $group.name) }}
{{- end }}
{{- end }}
{{- range .kinds }}{{ $_ := set $seen . $group.name }}{{ end }}
{{- end }}
{{- end }}

{{/* endpointOverrides as SLUICE_ENDPOINT_OVERRIDES: from=to pairs, sorted. */}}
{{- define "sluice.overrides" -}}
{{- $pairs := list }}
{{- range $from, $to := . }}
{{- $pairs = append $pairs (printf "%s=%s" $from $to) }}
{{- end }}
{{- $pairs | sortAlpha | join "," }}
{{- end }}

{{/* A list as a YAML flow sequence: [a, b, ""]. */}}
{{- define "sluice.flow" -}}
[{{- range $i, $v := . }}{{ if $i }}, {{ end }}{{ if eq (toString $v) "" }}""{{ else }}{{ $v }}{{ end }}{{ end }}]
{{- end }}

{{/* RBAC rules, one flow-style rule per entry. */}}
{{- define "sluice.rules" -}}
{{- range . }}
- apiGroups: {{ include "sluice.flow" .apiGroups }}
  resources: {{ include "sluice.flow" .resources }}
  verbs: {{ include "sluice.flow" .verbs }}
{{- end }}
{{- end }}

{{/* Labels of an RBAC object: dict root, component, and optionally group. */}}
{{- define "sluice.rbacLabels" -}}
{{ include "sluice.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- with .group }}
sluice.io/worker-group: {{ . }}
{{- end }}
{{- end }}

{{/*
A binding of ClusterRole .role to ServiceAccount .sa: a RoleBinding in .namespace when given (the
role's namespaced rights in that namespace only), else a ClusterRoleBinding. dict root, name,
role, sa, component, group, namespace.
*/}}
{{- define "sluice.binding" -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ if .namespace }}RoleBinding{{ else }}ClusterRoleBinding{{ end }}
metadata:
  name: {{ .name }}
  {{- with .namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- include "sluice.rbacLabels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .role }}
subjects:
  - kind: ServiceAccount
    name: {{ .sa }}
    namespace: {{ .root.Release.Namespace }}
{{- end }}

{{/* The Redis CA bundle's volume mount (redis.tls.caSecret), for a container's volumeMounts. */}}
{{- define "sluice.redisCaMount" -}}
{{- if .Values.redis.tls.caSecret.name }}
- name: redis-ca
  mountPath: /etc/sluice/redis-ca
  readOnly: true
{{- end }}
{{- end }}

{{/* The Redis CA bundle's volume (redis.tls.caSecret), for a pod's volumes. */}}
{{- define "sluice.redisCaVolume" -}}
{{- with .Values.redis.tls.caSecret }}
{{- if .name }}
- name: redis-ca
  secret:
    secretName: {{ .name }}
    defaultMode: 292 # 0444: read for all; decimal, as YAML 1.2 readers take a leading 0 as decimal
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end }}
{{- end }}
