{{/* The prefix of every object name: the release name, with the chart's name unless it has it. */}}
{{- define "inventory-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The prefix of the relay's cluster-scoped objects: inventory-relay for the default name. */}}
{{- define "inventory-operator.relayClusterName" -}}
{{- printf "%s-relay" (include "inventory-operator.fullname" . | trimSuffix "-operator") -}}
{{- end -}}

{{- define "inventory-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "inventory-operator.relayNamespace" -}}
{{- .Values.relay.namespace | default .Release.Namespace -}}
{{- end -}}

{{/* Labels Helm adds to every object, beside the ones each object has in config/. */}}
{{- define "inventory-operator.releaseLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "inventory-operator.managerLabels" -}}
app.kubernetes.io/name: inventory-operator
app.kubernetes.io/component: manager
{{- end -}}

{{- define "inventory-operator.relayLabels" -}}
app.kubernetes.io/name: inventory-relay
app.kubernetes.io/part-of: inventory-operator
{{- end -}}

{{- define "inventory-operator.ledgerLabels" -}}
app.kubernetes.io/name: inventory-ledger
app.kubernetes.io/part-of: inventory-operator
{{- end -}}

{{/* The manager's rights, from the ClusterRole that controller-gen generates (files/rbac). */}}
{{- define "inventory-operator.managerRules" -}}
{{- (.Files.Get "files/rbac/role.yaml" | fromYaml).rules | toYaml -}}
{{- end -}}
