package podexec

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFieldValue(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "run-1", Namespace: "retail", UID: "u-1",
			Labels:      map[string]string{"batch.kubernetes.io/controller-uid": "job-uid"},
			Annotations: map[string]string{"a": "b"},
		},
		Spec: corev1.PodSpec{NodeName: "dev-executor"},
	}
	for _, tc := range []struct {
		path, want string
		wantErr    bool
	}{
		{path: "metadata.labels['batch.kubernetes.io/controller-uid']", want: "job-uid"},
		{path: "metadata.labels['missing']", want: ""},
		{path: "metadata.annotations['a']", want: "b"},
		{path: "metadata.name", want: "run-1"},
		{path: "metadata.namespace", want: "retail"},
		{path: "metadata.uid", want: "u-1"},
		{path: "spec.nodeName", want: "dev-executor"},
		{path: "status.podIPs", wantErr: true},
	} {
		got, err := fieldValue(pod, tc.path)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("fieldValue(%q) = %q, %v; want %q, error %v", tc.path, got, err, tc.want, tc.wantErr)
		}
	}
}
