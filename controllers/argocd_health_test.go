package controllers

import (
	"bytes"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	sigsyaml "sigs.k8s.io/yaml"

	lua "github.com/yuin/gopher-lua"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var healthScriptPath = filepath.Join("..", "config", "argocd", "health.lua")

// argoHealth runs the health check as Argo CD does: the object, converted to Lua tables, in
// the global obj, and the table the script returns read as status and message.
func argoHealth(script string, obj map[string]any) (status, message string) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, open := range []struct {
		name string
		fn   lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		Expect(l.CallByParam(lua.P{Fn: l.NewFunction(open.fn), NRet: 0, Protect: true}, lua.LString(open.name))).To(Succeed())
	}
	l.SetGlobal("obj", luaValue(l, obj))
	Expect(l.DoString(script)).To(Succeed())
	ret, ok := l.Get(-1).(*lua.LTable)
	Expect(ok).To(BeTrue(), "the script returns a table")
	return ret.RawGetString("status").String(), ret.RawGetString("message").String()
}

func luaValue(l *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := l.NewTable()
		for k, e := range v {
			t.RawSetString(k, luaValue(l, e))
		}
		return t
	case []any:
		t := l.NewTable()
		for _, e := range v {
			t.Append(luaValue(l, e))
		}
		return t
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case nil:
		return lua.LNil
	}
	Fail("unexpected type in object")
	return lua.LNil
}

// asArgoSees reads obj back from the API server as Argo CD's cache holds it.
func asArgoSees(obj client.Object) map[string]any {
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	gvk, err := apiutil.GVKForObject(obj, scheme)
	Expect(err).NotTo(HaveOccurred())
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	Expect(err).NotTo(HaveOccurred())
	u["apiVersion"], u["kind"] = gvk.GroupVersion().String(), gvk.Kind
	return u
}

var _ = Describe("The Argo CD health check in config/argocd", func() {
	var (
		ns     string
		script string
	)
	BeforeEach(func() {
		ns = newNamespace()
		data, err := os.ReadFile(healthScriptPath)
		Expect(err).NotTo(HaveOccurred())
		script = string(data)
	})

	health := func(obj client.Object) string {
		status, _ := argoHealth(script, asArgoSees(obj))
		return status
	}
	eventuallyHealth := func(obj client.Object) AsyncAssertion {
		return Eventually(func() string { return health(obj) })
	}
	// healthAhead is the health of obj as if its spec had changed since the manager's last
	// status: its generation one ahead of what the status observed.
	healthAhead := func(obj client.Object) string {
		seen := asArgoSees(obj)
		meta := seen["metadata"].(map[string]any)
		meta["generation"] = meta["generation"].(int64) + 1
		status, _ := argoHealth(script, seen)
		return status
	}

	It("is the script docs/argocd.md configures, for both kinds", func() {
		doc, err := os.ReadFile(filepath.Join("..", "docs", "argocd.md"))
		Expect(err).NotTo(HaveOccurred())
		_, block, found := bytes.Cut(doc, []byte("```yaml\n"))
		Expect(found).To(BeTrue())
		block, _, _ = bytes.Cut(block, []byte("```"))
		var cm corev1.ConfigMap
		Expect(sigsyaml.Unmarshal(block, &cm)).To(Succeed())
		Expect(cm.Data).To(HaveKeyWithValue("resource.customizations.health.inventory.techoms.io_SalesChannel", script))
		Expect(cm.Data).To(HaveKeyWithValue("resource.customizations.health.inventory.techoms.io_InventorySync", script))
	})

	It("reads a SalesChannel as Healthy, Degraded, Suspended and Progressing", func() {
		ok := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		eventuallyHealth(ok).Should(Equal("Healthy"))

		noSecret := salesChannel(ns, "no-secret", v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
		Expect(k8s.Create(ctx, noSecret)).To(Succeed())
		eventuallyHealth(noSecret).Should(Equal("Degraded"))
		_, message := argoHealth(script, asArgoSees(noSecret))
		Expect(message).To(ContainSubstring("no-secret-admin"))

		quiet := readyChannel(ns, "quiet", v1alpha1.ModeDoNotSynchronize)
		eventuallyHealth(quiet).Should(Equal("Suspended"))

		By("a spec change the manager has not observed yet")
		Expect(healthAhead(ok)).To(Equal("Progressing"))
	})

	It("reads an InventorySync as Healthy, Degraded, Suspended and Progressing", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		scheduled := inventorySync(ns, "scheduled", ch.Name, every15m())
		Expect(k8s.Create(ctx, scheduled)).To(Succeed())
		eventuallyHealth(scheduled).Should(Equal("Healthy"))

		stalled := inventorySync(ns, "bad-cron", ch.Name, ptr.To("every day at noon"))
		Expect(k8s.Create(ctx, stalled)).To(Succeed())
		eventuallyHealth(stalled).Should(Equal("Degraded"))

		bySpec := inventorySync(ns, "paused", ch.Name, every15m())
		bySpec.Spec.Suspend = ptr.To(true)
		Expect(k8s.Create(ctx, bySpec)).To(Succeed())
		eventuallyHealth(bySpec).Should(Equal("Suspended"))

		quiet := readyChannel(ns, "quiet", v1alpha1.ModeDoNotSynchronize)
		byMode := inventorySync(ns, "by-mode", quiet.Name, every15m())
		Expect(k8s.Create(ctx, byMode)).To(Succeed())
		eventuallyHealth(byMode).Should(Equal("Suspended"))

		By("a failed last run")
		failing := inventorySync(ns, "failing", ch.Name, every15m())
		Expect(k8s.Create(ctx, failing)).To(Succeed())
		eventuallyHealth(failing).Should(Equal("Healthy"))
		requestSync(failing, "first")
		Eventually(func() []batchv1.Job { return jobsOf(ns, failing.Name) }).Should(HaveLen(1))
		job := jobsOf(ns, failing.Name)[0]
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(3, 1, 1, 0, 1)}, false)
		eventuallyHealth(failing).Should(Equal("Degraded"))
		_, message := argoHealth(script, asArgoSees(failing))
		Expect(message).To(ContainSubstring("failed"))

		By("a spec change the manager has not observed yet")
		Expect(healthAhead(scheduled)).To(Equal("Progressing"))
	})
})
