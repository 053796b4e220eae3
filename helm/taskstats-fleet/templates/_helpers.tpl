{{/*
Names. Every object is "<fullname>-<component>"; fullname is "<release>-taskstats-fleet" unless the release name
already contains the chart name, cut to 40 characters so that every "<fullname>-<component>-config" fits the
63 characters of a Kubernetes name.
*/}}
{{- define "tsfleet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tsfleet.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<component>"; call with (dict "ctx" $ "component" "coordinator") */}}
{{- define "tsfleet.componentName" -}}
{{- printf "%s-%s" (include "tsfleet.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tsfleet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The application name of each component: the recommended app.kubernetes.io/name. The services are separate
applications (own images), so selectors on name + instance alone tell the components apart.
*/}}
{{- define "tsfleet.appName" -}}
{{- $names := dict "coordinator" "coordinator" "listener" "listener-service" "emulator" "emulator" "kernel-backend" "kernel-backend" -}}
{{- required (printf "unknown component %s" .component) (get $names .component) -}}
{{- end -}}

{{/* Selector labels: name and instance only (both immutable for the life of a release). */}}
{{- define "tsfleet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tsfleet.appName" . }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end -}}

{{/* All recommended labels. */}}
{{- define "tsfleet.labels" -}}
{{ include "tsfleet.selectorLabels" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: {{ include "tsfleet.name" .ctx }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ include "tsfleet.chart" .ctx }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of objects that belong to the whole release rather than one component. */}}
{{- define "tsfleet.releaseLabels" -}}
app.kubernetes.io/name: {{ include "tsfleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: {{ include "tsfleet.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "tsfleet.chart" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* image reference; call with (dict "ctx" $ "image" .Values.coordinator.image) */}}
{{- define "tsfleet.image" -}}
{{- $tag := default .ctx.Chart.AppVersion (default .ctx.Values.image.tag .image.tag) -}}
{{- if .image.digest -}}
{{- printf "%s%s@%s" .ctx.Values.image.registry .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s%s:%s" .ctx.Values.image.registry .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* call with (dict "ctx" $ "component" "coordinator" "account" .Values.coordinator.serviceAccount) */}}
{{- define "tsfleet.serviceAccountName" -}}
{{- if .account.create -}}
{{- default (include "tsfleet.componentName" (dict "ctx" .ctx "component" .component)) .account.name -}}
{{- else -}}
{{- default "default" .account.name -}}
{{- end -}}
{{- end -}}

{{- define "tsfleet.secretName" -}}
{{- default (include "tsfleet.componentName" (dict "ctx" . "component" "tokens")) .Values.auth.existingSecret -}}
{{- end -}}

{{/* The broker the listeners connect to: the emulator's Service, the node's kernel backend, or an external one. */}}
{{- define "tsfleet.brokerAddress" -}}
{{- if and .Values.emulator.enabled .Values.kernelBackend.enabled -}}
{{- fail "emulator.enabled and kernelBackend.enabled are exclusive: a fleet listens to one kernel (the emulated one or a node's)" -}}
{{- else if .Values.kernelBackend.enabled -}}
{{- printf "${HOST_IP}:%v" .Values.kernelBackend.brokerPort -}}
{{- else if .Values.emulator.enabled -}}
{{- printf "%s:%v" (include "tsfleet.componentName" (dict "ctx" . "component" "emulator")) .Values.emulator.service.brokerPort -}}
{{- else -}}
{{- required "set broker.address (host:port): neither the emulator nor the kernel backend is enabled" .Values.broker.address -}}
{{- end -}}
{{- end -}}

{{/* The CPUs the coordinator covers. */}}
{{- define "tsfleet.possibleCpus" -}}
{{- if .Values.coordinator.possibleCpus -}}
{{- .Values.coordinator.possibleCpus -}}
{{- else if .Values.emulator.enabled -}}
{{- .Values.emulator.possibleCpus -}}
{{- else -}}
{{- fail "set coordinator.possibleCpus (a cpulist, e.g. the node's /sys/devices/system/cpu/possible) when the emulator is off" -}}
{{- end -}}
{{- end -}}

{{/* The largest fleet the chart lets exist: what the saturation alert compares the coordinator's advice with. */}}
{{- define "tsfleet.maxListenerReplicas" -}}
{{- if eq .Values.listener.scaling.mode "fixed" -}}
{{- .Values.listener.replicas -}}
{{- else -}}
{{- .Values.listener.scaling.maxReplicas -}}
{{- end -}}
{{- end -}}

{{/* Pod-level security context of the non-root components. */}}
{{- define "tsfleet.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{/* Container security context of the non-root components. */}}
{{- define "tsfleet.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext -}}
{{- end -}}

{{/* The env entries that carry the tokens into a pod; call with (dict "ctx" $ "tokens" (list "admin" "read")) */}}
{{- define "tsfleet.tokenEnv" -}}
{{- $secret := include "tsfleet.secretName" .ctx -}}
{{- range .tokens }}
- name: TOKEN_{{ upper . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}-token
{{- end }}
{{- end -}}

{{/* Probes on Spring Boot's health groups; call with (dict "port" "http" "probes" .Values.x.probes) */}}
{{- define "tsfleet.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: {{ .port }}
  periodSeconds: {{ .probes.startup.periodSeconds }}
  failureThreshold: {{ .probes.startup.failureThreshold }}
  timeoutSeconds: {{ .probes.timeoutSeconds }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: {{ .port }}
  periodSeconds: {{ .probes.liveness.periodSeconds }}
  failureThreshold: {{ .probes.liveness.failureThreshold }}
  timeoutSeconds: {{ .probes.timeoutSeconds }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: {{ .port }}
  periodSeconds: {{ .probes.readiness.periodSeconds }}
  failureThreshold: {{ .probes.readiness.failureThreshold }}
  timeoutSeconds: {{ .probes.timeoutSeconds }}
{{- end -}}

{{/* Scratch space: the root filesystem is read-only, the JVM and Tomcat write to /tmp. */}}
{{- define "tsfleet.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{/* "true" when the replicas share one replica token (auth.replicaCredential=sharedToken) */}}
{{- define "tsfleet.sharedReplicaToken" -}}
{{- if not (has .Values.auth.replicaCredential (list "serviceAccountToken" "sharedToken")) -}}
{{- fail (printf "auth.replicaCredential must be serviceAccountToken or sharedToken, not %q" .Values.auth.replicaCredential) -}}
{{- end -}}
{{- eq .Values.auth.replicaCredential "sharedToken" -}}
{{- end -}}

{{/* The coordinator's tsfleet.coordinator.security settings, as YAML */}}
{{- define "tsfleet.coordinatorSecurity" -}}
admin-tokens: ${TOKEN_ADMIN}
read-tokens: ${TOKEN_READ}
{{- if eq (include "tsfleet.sharedReplicaToken" .) "true" }}
replica-tokens: ${TOKEN_REPLICA}
{{- else }}
token-review:
  enabled: true
  audience: {{ .Values.auth.tokenAudience | quote }}
  service-account: {{ include "tsfleet.serviceAccountName" (dict "ctx" . "component" "listener" "account" .Values.listener.serviceAccount) | quote }}
  namespace: {{ .Release.Namespace | quote }}
{{- end }}
{{- end -}}
