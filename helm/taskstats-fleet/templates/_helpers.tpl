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

{{/*
"true" when the coordinator runs in cluster mode: coordinator.possibleCpus is empty, so the coordinator's slots are
the (node, CPU) pairs of the nodes whose agents announce themselves (the emulated nodes, or the kernel backend on every
selected node), and the replicas learn each node's broker from the coordinator. With coordinator.possibleCpus set the
fleet is one node (static mode, the chart before cluster mode): the listeners get one fixed broker.
*/}}
{{- define "tsfleet.clusterMode" -}}
{{- if and .Values.emulator.enabled .Values.kernelBackend.enabled -}}
{{- fail "emulator.enabled and kernelBackend.enabled are exclusive: a release's nodes are either emulated or real" -}}
{{- end -}}
{{- if .Values.coordinator.possibleCpus -}}
false
{{- else if or .Values.emulator.enabled .Values.kernelBackend.enabled -}}
{{- if and .Values.kernelBackend.enabled .Values.networkPolicy.enabled (not .Values.networkPolicy.nodeAgentFrom) -}}
{{- fail "the kernel backend's node agents run in the host network, which NetworkPolicies cannot select by pod label: set networkPolicy.nodeAgentFrom to the peers they come from (e.g. [{ipBlock: {cidr: <the nodes' subnet>}}]) so that they reach the coordinator, or networkPolicy.enabled=false" -}}
{{- end -}}
true
{{- else -}}
{{- fail "set coordinator.possibleCpus (a cpulist, e.g. the node's /sys/devices/system/cpu/possible) and broker.address for an external broker, or enable the emulator or the kernel backend (their node agents announce the nodes)" -}}
{{- end -}}
{{- end -}}

{{/*
The emulated nodes, as JSON (read with fromJsonArray): each {name, cpus, possibleCpus, zone}, possibleCpus defaulting
to 0-(cpus-1). Names must be unique: each is a node of the fleet.
*/}}
{{- define "tsfleet.emulatedNodes" -}}
{{- $nodes := list -}}
{{- $seen := dict -}}
{{- range $n := .Values.emulator.nodes -}}
{{- if hasKey $seen $n.name -}}
{{- fail (printf "emulator.nodes: the node name %q is given twice (every emulated node is a node of the fleet)" $n.name) -}}
{{- end -}}
{{- $_ := set $seen $n.name true -}}
{{- $possible := default (printf "0-%d" (sub (int $n.cpus) 1)) $n.possibleCpus -}}
{{- $nodes = append $nodes (dict "name" $n.name "cpus" (int $n.cpus) "possibleCpus" $possible "zone" (default "" $n.zone)) -}}
{{- end -}}
{{- toJson $nodes -}}
{{- end -}}

{{/*
A name of at most 63 characters: the name itself when it fits, else its first 54 characters and 8 hex digits of its
hash (unique and stable). Call with the full name.
*/}}
{{- define "tsfleet.boundedName" -}}
{{- if le (len .) 63 -}}
{{- . -}}
{{- else -}}
{{- printf "%s-%s" (. | trunc 54 | trimSuffix "-") (. | sha256sum | trunc 8) -}}
{{- end -}}
{{- end -}}

{{/* The objects of one emulated node: "<fullname>-emulator-<node>[suffix]"; call with (dict "ctx" $ "node" "node-a" "suffix" "-config") */}}
{{- define "tsfleet.emulatorName" -}}
{{- include "tsfleet.boundedName" (printf "%s-emulator-%s%s" (include "tsfleet.fullname" .ctx) .node (default "" .suffix)) -}}
{{- end -}}

{{/* The coordinator's URL inside the cluster (heartbeats, node announcements): its Service, which reaches the leader. */}}
{{- define "tsfleet.coordinatorUrl" -}}
{{- printf "http://%s:%v" (include "tsfleet.componentName" (dict "ctx" . "component" "coordinator")) .Values.coordinator.service.port -}}
{{- end -}}

{{/*
The one broker of a static fleet (coordinator.possibleCpus set): the emulated node's Service, the node's kernel backend,
or an external one. A cluster-mode fleet has none: the coordinator names each node's broker.
*/}}
{{- define "tsfleet.brokerAddress" -}}
{{- if eq (include "tsfleet.clusterMode" .) "true" -}}
{{- else if .Values.kernelBackend.enabled -}}
{{- $_ := required "kernelBackend.node: the node whose kernel a static fleet (coordinator.possibleCpus set) listens to; leave coordinator.possibleCpus empty to watch every selected node" .Values.kernelBackend.node -}}
{{- printf "${HOST_IP}:%v" .Values.kernelBackend.brokerPort -}}
{{- else if .Values.emulator.enabled -}}
{{- $nodes := include "tsfleet.emulatedNodes" . | fromJsonArray -}}
{{- if ne (len $nodes) 1 -}}
{{- fail (printf "a static fleet (coordinator.possibleCpus set) listens to one node, but emulator.nodes has %d: leave coordinator.possibleCpus empty (cluster mode)" (len $nodes)) -}}
{{- end -}}
{{- printf "%s:%v" (include "tsfleet.emulatorName" (dict "ctx" . "node" (index $nodes 0).name)) .Values.emulator.service.brokerPort -}}
{{- else -}}
{{- required "set broker.address (host:port): neither the emulator nor the kernel backend is enabled" .Values.broker.address -}}
{{- end -}}
{{- end -}}

{{/* The node a static fleet's slots are on (tsfleet.coordinator.static-node); static mode only. */}}
{{- define "tsfleet.staticNode" -}}
{{- if .Values.kernelBackend.enabled -}}
{{- .Values.kernelBackend.node -}}
{{- else if .Values.emulator.enabled -}}
{{- (index (include "tsfleet.emulatedNodes" . | fromJsonArray) 0).name -}}
{{- else -}}
local
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

{{/* The coordinator's tokens: admin and read, the replica token when shared, the shared node token in cluster mode with auth.nodeCredential=sharedToken */}}
{{- define "tsfleet.coordinatorTokens" -}}
{{- $tokens := list "admin" "read" -}}
{{- if eq (include "tsfleet.sharedReplicaToken" .) "true" }}{{ $tokens = append $tokens "replica" }}{{ end -}}
{{- if eq (include "tsfleet.nodeCredential" .) "sharedToken" }}{{ $tokens = append $tokens "node" }}{{ end -}}
{{- toJson $tokens -}}
{{- end -}}

{{/*
How the node agents authenticate to the coordinator, in cluster mode ("" in static mode: no node agent runs):
- "serviceAccountToken": the kernel backends (auth.nodeCredential=bound): each pod's projected service-account token,
  which the coordinator's TokenReview binds to the Kubernetes node the pod runs on
  (authentication.kubernetes.io/node-name);
- "boundToken": the emulated nodes (auth.nodeCredential=bound): a token of their own each, bound to the emulated node's
  name (Secret key node-token-<node>, node-tokens entry <node>=<token>). An emulated node's pod runs on some Kubernetes
  node but announces emulated-N, so its service-account token could not speak for it;
- "sharedToken" (auth.nodeCredential=sharedToken): the Secret's node-token for every agent; it speaks for every node.
*/}}
{{- define "tsfleet.nodeCredential" -}}
{{- if not (has .Values.auth.nodeCredential (list "bound" "sharedToken")) -}}
{{- fail (printf "auth.nodeCredential must be bound or sharedToken, not %q" .Values.auth.nodeCredential) -}}
{{- end -}}
{{- if ne (include "tsfleet.clusterMode" .) "true" -}}
{{- else if eq .Values.auth.nodeCredential "sharedToken" -}}
sharedToken
{{- else if .Values.kernelBackend.enabled -}}
serviceAccountToken
{{- else -}}
boundToken
{{- end -}}
{{- end -}}

{{/* The Secret key of an emulated node's own token (auth.nodeCredential=bound); call with the node's name */}}
{{- define "tsfleet.emulatedNodeTokenKey" -}}
{{- printf "node-token-%s" . -}}
{{- end -}}

{{/* The env entries of the emulated nodes' own tokens in the coordinator's pod: TOKEN_NODE_<i> */}}
{{- define "tsfleet.emulatedNodeTokenEnv" -}}
{{- $secret := include "tsfleet.secretName" . -}}
{{- range $i, $n := include "tsfleet.emulatedNodes" . | fromJsonArray }}
- name: TOKEN_NODE_{{ $i }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ include "tsfleet.emulatedNodeTokenKey" $n.name }}
{{- end }}
{{- end -}}

{{/* "true" when the coordinator checks service-account tokens with TokenReviews: the listeners' (auth.replicaCredential=serviceAccountToken) or the kernel backends' node agents' */}}
{{- define "tsfleet.tokenReview" -}}
{{- or (ne (include "tsfleet.sharedReplicaToken" .) "true") (eq (include "tsfleet.nodeCredential" .) "serviceAccountToken") -}}
{{- end -}}

{{/* The projected service-account token a pod presents to the coordinator (listeners, kernel backends' node agents): a volume source */}}
{{- define "tsfleet.coordinatorTokenVolume" -}}
- name: coordinator-token
  projected:
    sources:
      - serviceAccountToken:
          audience: {{ .Values.auth.tokenAudience | quote }}
          expirationSeconds: {{ .Values.auth.tokenExpirationSeconds }}
          path: coordinator-token
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
{{- $nodeCredential := include "tsfleet.nodeCredential" . }}
admin-tokens: ${TOKEN_ADMIN}
read-tokens: ${TOKEN_READ}
{{- if eq $nodeCredential "sharedToken" }}
node-tokens: ${TOKEN_NODE}
{{- else if eq $nodeCredential "boundToken" }}
{{- $entries := list }}
{{- range $i, $n := include "tsfleet.emulatedNodes" . | fromJsonArray }}
{{- $entries = append $entries (printf "%s=${TOKEN_NODE_%d}" $n.name $i) }}
{{- end }}
node-tokens: {{ join "," $entries | quote }}
{{- end }}
{{- if eq (include "tsfleet.sharedReplicaToken" .) "true" }}
replica-tokens: ${TOKEN_REPLICA}
{{- end }}
{{- if eq (include "tsfleet.tokenReview" .) "true" }}
token-review:
  enabled: true
  audience: {{ .Values.auth.tokenAudience | quote }}
  service-account: {{ include "tsfleet.serviceAccountName" (dict "ctx" . "component" "listener" "account" .Values.listener.serviceAccount) | quote }}
  {{- if eq $nodeCredential "serviceAccountToken" }}
  node-service-account: {{ include "tsfleet.componentName" (dict "ctx" . "component" "kernel-backend") | quote }}
  {{- end }}
  namespace: {{ .Release.Namespace | quote }}
{{- end }}
{{- end -}}

{{/*
A value rendered as YAML through tpl (as the well-kept community charts do for extraEnv, extraVolumes, sidecars...):
a string is a template, a list or a map is rendered to YAML first; both may use {{ .Release.Name }} and the like.
Call with (dict "value" .Values.listener.extraEnv "ctx" $).
*/}}
{{- define "tsfleet.tplValues" -}}
{{- $value := typeIs "string" .value | ternary .value (.value | toYaml) -}}
{{- if contains "{{" (toJson .value) -}}
{{- tpl $value .ctx -}}
{{- else -}}
{{- $value -}}
{{- end -}}
{{- end -}}

{{/*
A size in bytes, as a decimal string, from a Kubernetes quantity (1Gi, 500M, 4096) or a Spring size as the listener
reads sink options (512MB, 64KB: binary multiples). Fails on anything else; call with (dict "value" "1Gi" "what" "listener.sinkVolume.size").
*/}}
{{- define "tsfleet.bytes" -}}
{{- $v := .value -}}
{{- if or (kindIs "float64" $v) (kindIs "int" $v) (kindIs "int64" $v) -}}
{{- $v = int64 $v | toString -}}
{{- end -}}
{{- $v = toString $v | trim -}}
{{- if not (regexMatch "^[0-9]+(B|KB|MB|GB|TB|Ki|Mi|Gi|Ti|k|M|G|T)?$" $v) -}}
{{- fail (printf "%s: %q is not a size (a whole number with an optional unit: Ki, Mi, Gi, Ti, k, M, G, T, or B, KB, MB, GB, TB)" .what $v) -}}
{{- end -}}
{{- $units := dict "" 1 "B" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "KB" 1024 "MB" 1048576 "GB" 1073741824 "TB" 1099511627776 -}}
{{- $number := regexReplaceAll "^([0-9]+).*$" $v "${1}" | int64 -}}
{{- $unit := regexReplaceAll "^[0-9]+" $v "" -}}
{{- mul $number (get $units $unit | int64) | toString -}}
{{- end -}}

{{/*
The listener's sinks, as JSON (read with fromJsonArray): [{scheme, argument, entry}] from listener.sink (a
comma-separated string or a list of entries <scheme>[:<argument>]). At most one sink per scheme; none only alone.
*/}}
{{- define "tsfleet.listenerSinks" -}}
{{- $raw := .Values.listener.sink -}}
{{- $entries := list -}}
{{- if kindIs "slice" $raw -}}
{{- $entries = $raw -}}
{{- else -}}
{{- $entries = splitList "," (toString $raw) -}}
{{- end -}}
{{- $sinks := list -}}
{{- $seen := dict -}}
{{- range $e := $entries -}}
{{- $e = toString $e | trim -}}
{{- if not (regexMatch "^[a-z][a-z0-9-]*(:[^,\\s]+)?$" $e) -}}
{{- fail (printf "listener.sink: %q is not <scheme>[:<argument>] (e.g. none, stdout, jsonl:/data/records.jsonl, kafka:tsfleet-exits, otlp)" $e) -}}
{{- end -}}
{{- $scheme := regexReplaceAll ":.*$" $e "" -}}
{{- $argument := "" -}}
{{- if contains ":" $e -}}
{{- $argument = regexReplaceAll "^[^:]*:" $e "" | trim -}}
{{- end -}}
{{- if hasKey $seen $scheme -}}
{{- fail (printf "listener.sink: the scheme %q is given twice (at most one sink per scheme; options go to listener.sinkOptions.%s)" $scheme $scheme) -}}
{{- end -}}
{{- $_ := set $seen $scheme true -}}
{{- $sinks = append $sinks (dict "scheme" $scheme "argument" $argument "entry" $e) -}}
{{- end -}}
{{- if and (hasKey $seen "none") (gt (len $sinks) 1) -}}
{{- fail "listener.sink: none throws every record away and cannot be combined with other sinks; drop it from the list" -}}
{{- end -}}
{{- if eq (len $sinks) 0 -}}
{{- fail "listener.sink is empty: name a sink (none, stdout, jsonl:<path>, kafka:<topic>, otlp)" -}}
{{- end -}}
{{- toJson $sinks -}}
{{- end -}}

{{/* "true" when the listener's sink list is none: every record is thrown away */}}
{{- define "tsfleet.discardsRecords" -}}
{{- $sinks := include "tsfleet.listenerSinks" . | fromJsonArray -}}
{{- eq (index $sinks 0).scheme "none" -}}
{{- end -}}

{{/*
How many listener pods may write to one sink volume at once: 1 for an emptyDir (each pod has its own); for a shared
claim or a hostPath every replica the chart lets exist plus the one a rolling update adds (maxSurge 1), since all of
them may run on one node.
*/}}
{{- define "tsfleet.sinkVolumeWriters" -}}
{{- if eq .Values.listener.sinkVolume.type "emptyDir" -}}
1
{{- else -}}
{{- add (include "tsfleet.maxListenerReplicas" . | int) 1 -}}
{{- end -}}
{{- end -}}

{{/*
The listener's sink settings, as JSON: {sink: "<list>", options: {...}} with the jsonl file placed per pod on a shared
volume and the jsonl rotation limits derived from the volume's size. Every impossible combination fails here with a
message naming the values.
*/}}
{{- define "tsfleet.listenerSinkSettings" -}}
{{- $l := .Values.listener -}}
{{- $v := $l.sinkVolume -}}
{{- $sinks := include "tsfleet.listenerSinks" . | fromJsonArray -}}
{{- /* the options as the listener will see them: listener.sinkOptions, then listener.config's sink-options on top */ -}}
{{- $options := deepCopy (default dict $l.sinkOptions) -}}
{{- $configured := dig "tsfleet" "listener" "sink-options" dict (deepCopy $l.config) -}}
{{- $options = mustMergeOverwrite $options $configured -}}
{{- if not (has $v.type (list "emptyDir" "persistentVolumeClaim" "hostPath")) -}}
{{- fail (printf "listener.sinkVolume.type must be emptyDir, persistentVolumeClaim or hostPath, not %q" $v.type) -}}
{{- end -}}
{{- $mountPath := trimSuffix "/" $v.mountPath -}}
{{- if $v.enabled -}}
{{- range $taken := list "/tmp" "/config" "/var/run/secrets/tsfleet" -}}
{{- if or (eq $mountPath $taken) (hasPrefix (printf "%s/" $mountPath) $taken) (hasPrefix (printf "%s/" $taken) $mountPath) -}}
{{- fail (printf "listener.sinkVolume.mountPath %s collides with the listener's own mount %s" $mountPath $taken) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $entries := list -}}
{{- range $s := $sinks -}}
{{- $entry := $s.entry -}}
{{- if eq $s.scheme "jsonl" -}}
{{- $path := $s.argument -}}
{{- if not (hasPrefix "/" $path) -}}
{{- fail (printf "listener.sink: jsonl needs an absolute file path (jsonl:%s/records.jsonl), not %q" $mountPath $path) -}}
{{- end -}}
{{- /* a plain path: no . or .. segment and no placeholder but ${POD_NAME}, which could lead the file off the volume whose size the limits are derived from */ -}}
{{- if or (regexMatch "(^|/)\\.\\.?(/|$)" $path) (regexMatch "//" $path) (contains "${" (replace "${POD_NAME}" "" $path)) (not (regexMatch "^[A-Za-z0-9._@+=/${}-]+$" $path)) -}}
{{- fail (printf "listener.sink: the jsonl path %q must be a plain absolute path (letters, digits, . _ - @ + =, no . or .. segment, no placeholder but ${POD_NAME})" $path) -}}
{{- end -}}
{{- $underExtra := false -}}
{{- range $m := $l.extraVolumeMounts -}}
{{- if and (kindIs "map" $m) $m.mountPath (hasPrefix (printf "%s/" (trimSuffix "/" (toString $m.mountPath))) $path) -}}
{{- $underExtra = true -}}
{{- end -}}
{{- end -}}
{{- if and $v.enabled (hasPrefix (printf "%s/" $mountPath) $path) -}}
{{- $writers := include "tsfleet.sinkVolumeWriters" $ | int64 -}}
{{- if and (gt $writers 1) (not (contains "${POD_NAME}" $path)) -}}
{{- /* a shared volume: each pod writes (and rotates) in a directory named after it */ -}}
{{- $path = printf "%s/${POD_NAME}%s" $mountPath (trimPrefix $mountPath $path) -}}
{{- end -}}
{{- $entry = printf "jsonl:%s" $path -}}
{{- /* rotation limits: max-file-bytes x (max-files + 1) + headroom <= this pod's share of the volume */ -}}
{{- $size := include "tsfleet.bytes" (dict "value" (default $v.size $v.sizeLimit) "what" "listener.sinkVolume.size") | int64 -}}
{{- $share := div $size $writers -}}
{{- $headroom := div $share 10 -}}
{{- $jsonl := default dict (get $options "jsonl") -}}
{{- if not (kindIs "map" $jsonl) }}{{ $jsonl = dict }}{{ end -}}
{{- $maxFiles := int64 10 -}}
{{- $givenFiles := hasKey $jsonl "max-files" | ternary (get $jsonl "max-files") (get $options "max-files") -}}
{{- if ne (toString $givenFiles) "" -}}
{{- if not (regexMatch "^[0-9]+$" (toString $givenFiles)) -}}
{{- fail (printf "listener.sinkOptions: max-files=%v is not a whole number" $givenFiles) -}}
{{- end -}}
{{- $maxFiles = int64 $givenFiles -}}
{{- end -}}
{{- if lt $maxFiles 1 -}}
{{- fail (printf "listener.sinkOptions: max-files=%d must be at least 1" $maxFiles) -}}
{{- end -}}
{{- $given := hasKey $jsonl "max-file-bytes" | ternary (get $jsonl "max-file-bytes") (get $options "max-file-bytes") -}}
{{- $fileBytes := int64 0 -}}
{{- if $given -}}
{{- $fileBytes = include "tsfleet.bytes" (dict "value" $given "what" "listener.sinkOptions max-file-bytes") | int64 -}}
{{- if gt (add (mul $fileBytes (add $maxFiles 1)) $headroom) $share -}}
{{- fail (printf "listener.sinkOptions: jsonl keeps up to max-file-bytes x (max-files + 1) = %s x %d = %d bytes per replica, plus %d bytes of headroom, but each of the %d replicas that may write to the %s volume of %s (listener.sinkVolume.size) has %d bytes: the kubelet would evict the pod or the volume would fill. Lower max-file-bytes or max-files, or enlarge the volume (or leave max-file-bytes out: the chart derives it)" (toString $given) (add $maxFiles 1) (mul $fileBytes (add $maxFiles 1)) $headroom $writers $v.type (toString (default $v.size $v.sizeLimit)) $share) -}}
{{- end -}}
{{- else -}}
{{- $fileBytes = div (sub $share $headroom) (add $maxFiles 1) -}}
{{- if lt $fileBytes 1048576 -}}
{{- fail (printf "listener.sinkVolume.size %s is too small: shared by %d replicas with %d files each, a jsonl file could hold only %d bytes (at least 1 MiB): enlarge the volume or lower listener.sinkOptions.jsonl.max-files" (toString (default $v.size $v.sizeLimit)) $writers (add $maxFiles 1) $fileBytes) -}}
{{- end -}}
{{- end -}}
{{- $_ := set $jsonl "max-file-bytes" ($fileBytes | toString) -}}
{{- $_ := set $jsonl "max-files" ($maxFiles | toString) -}}
{{- $_ := set $options "jsonl" $jsonl -}}
{{- else if not $underExtra -}}
{{- if $v.enabled -}}
{{- fail (printf "listener.sink: the jsonl file %s is outside the sink volume (listener.sinkVolume.mountPath %s) and every listener.extraVolumeMounts: the root file system is read-only" $path $mountPath) -}}
{{- else -}}
{{- fail (printf "listener.sink: jsonl:%s needs a volume: set listener.sinkVolume.enabled=true (an emptyDir, a PersistentVolumeClaim or a hostPath at %s) or mount one with listener.extraVolumes/extraVolumeMounts; the root file system is read-only" $path $mountPath) -}}
{{- end -}}
{{- end -}}
{{- else if eq $s.scheme "kafka" -}}
{{- if not $s.argument -}}
{{- fail "listener.sink: kafka needs a topic: kafka:<topic>" -}}
{{- end -}}
{{- $kafka := get $options "kafka" -}}
{{- if not (or (and (kindIs "map" $kafka) (get $kafka "bootstrap-servers")) (get $options "bootstrap-servers")) -}}
{{- fail (printf "listener.sink: %s needs listener.sinkOptions.kafka.bootstrap-servers (host:port,host:port)" $entry) -}}
{{- end -}}
{{- end -}}
{{- $entries = append $entries $entry -}}
{{- end -}}
{{- toJson (dict "sink" (join "," $entries) "options" $options) -}}
{{- end -}}
