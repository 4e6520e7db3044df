{{/* The chart's name, or nameOverride. */}}
{{- define "handoff.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/*
Name prefix of every object: fullnameOverride, or the release name plus "-<name>" unless the release name already
contains it (release "handoff" gives "handoff-control-service"). 40 characters at most: the longest suffix
("-converge-service-state") must still fit Kubernetes' 63.
*/}}
{{- define "handoff.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "handoff.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "handoff.labels" -}}
app.kubernetes.io/part-of: {{ include "handoff.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The labels of one service's objects: the chart's and its name; call with (dict "root" $ "name" "control-service"). */}}
{{- define "handoff.serviceLabels" -}}
{{ include "handoff.labels" .root }}
app.kubernetes.io/name: {{ .name }}
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

{{/* One service's probes: services.<name>.probes over the shared `probes`; call with (dict "root" $ "svc" $svc). */}}
{{- define "handoff.probes" -}}
{{- $probes := mergeOverwrite (deepCopy .root.Values.probes) (deepCopy (.svc.probes | default dict)) -}}
{{- range $kind := list "startup" "liveness" "readiness" }}
{{- $p := index $probes $kind }}
{{ $kind }}Probe:
  httpGet: { path: {{ $p.path }}, port: http }
  {{- with $p.initialDelaySeconds }}
  initialDelaySeconds: {{ . }}
  {{- end }}
  periodSeconds: {{ $p.periodSeconds }}
  timeoutSeconds: {{ $p.timeoutSeconds | default 1 }}
  failureThreshold: {{ $p.failureThreshold }}
{{- end }}
{{- end -}}

{{/* Pod security settings of the chart's Jobs and test Pods: the services' defaults. */}}
{{- define "handoff.hookPodSecurity" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.defaults.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.defaults.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.defaults.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The Kafka login of a client that is not one of the services (the topics Job): the env of the services' login, with
the JAAS line from the Secret named by the caller; call with (dict "root" $ "secret" "<secret name>").
*/}}
{{- define "handoff.kafkaClientEnv" -}}
{{- $kafka := .root.Values.kafka -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ $kafka.bootstrapServers | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $kafka.securityProtocol | quote }}
{{- if hasPrefix "SASL" $kafka.securityProtocol }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ $kafka.sasl.jaasConfigKey }}
{{- end }}
{{- if $kafka.tls.caSecret }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/handoff/kafka-ca/{{ $kafka.tls.caKey }}
{{- end }}
{{- end -}}

{{/* kafka.topics.config as create-topics.sh's HANDOFF_TOPIC_CONFIG: key=value, space-separated. */}}
{{- define "handoff.topicConfig" -}}
{{- $entries := list -}}
{{- range $k, $v := .Values.kafka.topics.config }}
{{- $entries = append $entries (printf "%s=%v" $k $v) }}
{{- end }}
{{- join " " $entries -}}
{{- end -}}
