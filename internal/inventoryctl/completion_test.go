package inventoryctl

import (
	"bytes"
	"strings"
	"testing"
)

// complete runs cobra's hidden completion command, as the shell scripts do, with the word
// being completed last.
func complete(t *testing.T, words ...string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"__complete"}, words...)
	if code := Main(args, Streams{In: &bytes.Buffer{}, Out: &out, Err: &errOut}); code != 0 {
		t.Fatalf("exit code %d: %s", code, errOut.String())
	}
	// The last line is cobra's directive (":4"), the others the candidates.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[:len(lines)-1]
}

func TestCompletionOffersTheNamespacesInventorySyncsAndSalesChannels(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	createSync(t, ns, "berlin", "shopify-eu", pushing)
	createSync(t, ns, "hamburg", "shopify-eu", pushing)

	if got := complete(t, "--kubeconfig", kubeconfig, "-n", ns, "plan", ""); strings.Join(got, " ") != "berlin hamburg" {
		t.Errorf("plan completes %q, want berlin and hamburg", got)
	}
	if got := complete(t, "--kubeconfig", kubeconfig, "-n", ns, "sync", "--channel", ""); strings.Join(got, " ") != "shopify-eu" {
		t.Errorf("sync --channel completes %q, want shopify-eu", got)
	}
	if got := complete(t, "send", "--trigger", ""); len(got) != len(eventTriggers) {
		t.Errorf("send --trigger completes %q, want the relay's triggers", got)
	}
}

func TestCompletionScriptsForBashAndZsh(t *testing.T) {
	for shell, want := range map[string]string{"bash": "# bash completion V2 for kubectl-inventory", "zsh": "#compdef kubectl-inventory"} {
		var out bytes.Buffer
		if code := Main([]string{"completion", shell}, Streams{In: &bytes.Buffer{}, Out: &out, Err: &bytes.Buffer{}}); code != 0 {
			t.Fatalf("%s: exit code %d", shell, code)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s script lacks %q:\n%.300s", shell, want, out.String())
		}
	}
}
