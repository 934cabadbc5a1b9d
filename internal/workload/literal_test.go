package workload

import (
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

// kubeletExpand applies the kubelet's expansion of container args: "$$" gives "$", "$(NAME)"
// gives env[NAME] when NAME is defined and stays as written otherwise, an unclosed "$(" and
// any other "$" stay as written.
func kubeletExpand(s string, env map[string]string) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			out.WriteByte(s[i])
			continue
		}
		next := s[i+1]
		closing := strings.IndexByte(s[i+1:], ')')
		switch {
		case next == '$':
			out.WriteByte('$')
		case next == '(' && closing > 0:
			name := s[i+2 : i+1+closing]
			if value, ok := env[name]; ok {
				out.WriteString(value)
			} else {
				out.WriteString("$(" + name + ")")
			}
			i += closing
		default:
			out.WriteByte('$')
			out.WriteByte(next)
		}
		i++
	}
	return out.String()
}

func TestKubeletExpand(t *testing.T) {
	env := map[string]string{"A": "1"}
	for in, want := range map[string]string{
		"$(A)": "1", "$$(A)": "$(A)", "$$$(A)": "$1", "$(B)": "$(B)", "$(A": "$(A", "a$": "a$", "$x$(A)": "$x1", "$$$$": "$$",
	} {
		if got := kubeletExpand(in, env); got != want {
			t.Errorf("kubeletExpand(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUserStringsReachThePodLiterally renders Jobs from hostile specs and checks that the
// kubelet's expansion, with every variable named defined, hands the sync role each string
// exactly as the user wrote it.
func TestUserStringsReachThePodLiterally(t *testing.T) {
	const credential = "shpat_the-channel-credential"
	env := map[string]string{
		syncpod.EnvChannelCredentials: credential,
		syncpod.EnvFeedToken:          "feed-token",
		syncpod.EnvRunID:              "uid-1",
		"X":                           "expanded",
	}
	hostile := []string{
		"http://x.invalid/$(CHANNEL_CREDENTIALS)/f.csv",
		"$(X)",
		"$$(X)",
		"$$$(FEED_BEARER_TOKEN)",
		"a$(X",
		"trailing$",
		"$($(X))",
	}
	for _, s := range hostile {
		t.Run(s, func(t *testing.T) {
			r := run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip)
			r.Sync.Spec.FulfillmentChannel.Feed.URL = s
			r.Sync.Spec.FulfillmentChannel.LocationID = s
			r.Sync.Spec.FulfillmentChannel.Name = s
			r.Channel.Spec.Connection.URL = "https://shop.invalid/" + s
			args := JobTemplate(r).Spec.Template.Spec.Containers[0].Args

			expanded := make([]string, len(args)-1)
			for i, arg := range args[1:] {
				expanded[i] = kubeletExpand(arg, env)
				if strings.Contains(expanded[i], credential) {
					t.Fatalf("argument %q expands to the credential: %q", arg, expanded[i])
				}
			}
			var cfg syncpod.Config
			fs := newFlagSet()
			cfg.BindFlags(fs)
			if err := fs.Parse(expanded); err != nil {
				t.Fatal(err)
			}
			if len(cfg.Feeds) != 1 {
				t.Fatalf("parsed %d feeds, want 1", len(cfg.Feeds))
			}
			got := map[string]string{"feed URL": cfg.Feeds[0].URL, "feed name": cfg.Feeds[0].Name, "location ID": cfg.LocationID, "channel URL": cfg.ChannelURL, "run ID": cfg.RunID}
			want := map[string]string{"feed URL": s, "feed name": s, "location ID": s, "channel URL": "https://shop.invalid/" + s, "run ID": "uid-1"}
			for field := range want {
				if got[field] != want[field] {
					t.Errorf("%s reaches the pod as %q, want %q", field, got[field], want[field])
				}
			}
		})
	}
}
