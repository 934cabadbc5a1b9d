package workload

import (
	"slices"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

func withMapping(r Run, channelMapping, syncMapping *v1alpha1.CatalogMapping) Run {
	ch, sync := r.Channel.DeepCopy(), r.Sync.DeepCopy()
	ch.Spec.Inventory.Mapping, sync.Spec.Mapping = channelMapping, syncMapping
	r.Channel, r.Sync = ch, sync
	return r
}

func catalogMapping(name string, unmapped v1alpha1.UnmappedSKUs) *v1alpha1.CatalogMapping {
	return &v1alpha1.CatalogMapping{ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: name, Key: "rows.csv"}, Unmapped: unmapped}
}

// A mapping reaches the pod as its ConfigMap's key mounted read-only, the sync's replacing the
// channel's; the pod keeps running without a service account token.
func TestMappingIsMountedFromItsConfigMap(t *testing.T) {
	for _, tc := range []struct {
		name         string
		run          Run
		configMap    string
		wantUnmapped string
	}{
		{"the channel's", withMapping(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), catalogMapping("catalog", ""), nil), "catalog", "Self"},
		{"the sync's replaces the channel's", withMapping(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip),
			catalogMapping("catalog", ""), catalogMapping("berlin-catalog", v1alpha1.UnmappedSkip)), "berlin-catalog", "Skip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := JobTemplate(tc.run).Spec.Template.Spec
			if len(pod.Volumes) != 1 || pod.Volumes[0].ConfigMap == nil || pod.Volumes[0].ConfigMap.Name != tc.configMap {
				t.Fatalf("volumes %+v, want the ConfigMap %s", pod.Volumes, tc.configMap)
			}
			items := pod.Volumes[0].ConfigMap.Items
			if len(items) != 1 || items[0].Key != "rows.csv" || items[0].Path != syncpod.MappingFileName {
				t.Errorf("items %+v", items)
			}
			c := pod.Containers[0]
			if len(c.VolumeMounts) != 1 || !c.VolumeMounts[0].ReadOnly || c.VolumeMounts[0].MountPath != syncpod.MappingMountPath {
				t.Errorf("mounts %+v", c.VolumeMounts)
			}
			for _, w := range []string{"--mapping-file=" + syncpod.MappingPath, "--mapping-unmapped=" + tc.wantUnmapped} {
				if !slices.Contains(c.Args, w) {
					t.Errorf("args %v lack %s", c.Args, w)
				}
			}
			if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
				t.Error("the pod mounts a service account token")
			}
			if !*c.SecurityContext.ReadOnlyRootFilesystem {
				t.Error("the root filesystem is writable")
			}
		})
	}
}

func TestNoMappingNoVolume(t *testing.T) {
	pod := JobTemplate(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip)).Spec.Template.Spec
	if len(pod.Volumes) != 0 || len(pod.Containers[0].VolumeMounts) != 0 {
		t.Errorf("volumes %+v mounts %+v", pod.Volumes, pod.Containers[0].VolumeMounts)
	}
	if strings.Contains(strings.Join(pod.Containers[0].Args, " "), "--mapping") {
		t.Errorf("args %v name a mapping", pod.Containers[0].Args)
	}
}

func TestMappingArgumentsRoundTrip(t *testing.T) {
	r := withMapping(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), catalogMapping("catalog", v1alpha1.UnmappedSkip), nil)
	args := JobTemplate(r).Spec.Template.Spec.Containers[0].Args
	var cfg syncpod.Config
	fs := newFlagSet()
	cfg.BindFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		t.Fatal(err)
	}
	if cfg.MappingFile != syncpod.MappingPath || cfg.MappingUnmapped != v1alpha1.UnmappedSkip {
		t.Errorf("parsed mapping %q %q", cfg.MappingFile, cfg.MappingUnmapped)
	}
}

// A mapping read from a URL is an argument, escaped as every user string, and its token a
// secretKeyRef variable, never an argument.
func TestMappingFromAFeedIsAnArgumentAndItsTokenASecretRef(t *testing.T) {
	r := withMapping(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), &v1alpha1.CatalogMapping{
		Feed: &v1alpha1.FeedSource{URL: "https://pim.example/catalog$(HOME).ndjson", Format: v1alpha1.FeedFormatNDJSON,
			BearerTokenSecretRef: &v1alpha1.SecretKeySelector{Name: "pim", Key: "token"}},
	}, nil)
	pod := JobTemplate(r).Spec.Template.Spec
	c := pod.Containers[0]
	for _, w := range []string{"--mapping-url=https://pim.example/catalog$$(HOME).ndjson", "--mapping-format=NDJSON", "--mapping-unmapped=Self"} {
		if !slices.Contains(c.Args, w) {
			t.Errorf("args %v lack %s", c.Args, w)
		}
	}
	if len(pod.Volumes) != 0 {
		t.Errorf("volumes %+v", pod.Volumes)
	}
	var found bool
	for _, e := range c.Env {
		if e.Name == syncpod.EnvMappingToken {
			found = e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == "pim" && e.Value == ""
		}
	}
	if !found {
		t.Errorf("env %+v lacks %s as a secretKeyRef", c.Env, syncpod.EnvMappingToken)
	}
}
