{{/* Name prefix of every object: the release name, plus "-handoff" unless it already contains it. */}}
{{- define "handoff.fullname" -}}
{{- if contains "handoff" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-handoff" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "handoff.labels" -}}
app.kubernetes.io/part-of: handoff
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "name" "control-service"). */}}
{{- define "handoff.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "handoff.image" -}}
{{- $img := .root.Values.image -}}
{{- $tag := default .root.Chart.AppVersion $img.tag -}}
{{- if $img.registry -}}
{{- printf "%s/%s/%s:%s" $img.registry $img.prefix .name $tag -}}
{{- else -}}
{{- printf "%s/%s:%s" $img.prefix .name $tag -}}
{{- end -}}
{{- end -}}

{{- define "handoff.appSecretName" -}}
{{- default (printf "%s-app" (include "handoff.fullname" .)) .Values.secrets.app.existingSecret -}}
{{- end -}}

{{- define "handoff.postgresSecretName" -}}
{{- default (printf "%s-postgresql" (include "handoff.fullname" .)) .Values.postgresql.existingSecret -}}
{{- end -}}

{{- define "handoff.inventoryConfigMapName" -}}
{{- default (printf "%s-inventory" (include "handoff.fullname" .)) .Values.inventory.existingConfigMap -}}
{{- end -}}

{{/*
Every Handoff topic: dev.handoff.common.event.Topics.all() (the chain, each stage's replay channel, and the .dlq
of each). deploy-tests' HelmChartTest compares this list with Topics.all().
*/}}
{{- define "handoff.topics" -}}
{{- $base := list "handoff.commits" "handoff.cloud-facts" "handoff.secret-facts" "handoff.convergence" "handoff.workload" "handoff.backup" "handoff.replays" "handoff.approvals" "handoff.host-keys" "handoff.replay.infra" "handoff.replay.secrets" "handoff.replay.converge" "handoff.replay.workload" "handoff.replay.backup" -}}
{{- $all := list -}}
{{- range $base }}{{ $all = append $all . }}{{ end -}}
{{- range $base }}{{ $all = append $all (printf "%s.dlq" .) }}{{ end -}}
{{- join "," $all -}}
{{- end -}}
