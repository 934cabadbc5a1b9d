package relay

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// Scope is what the relay pushes to: the sales channels in scope and the InventorySyncs that
// say where on them each fulfillment channel's levels go.
type Scope struct {
	Channels []v1alpha1.SalesChannel
	Syncs    []v1alpha1.InventorySync
	// OtherChannels names the SalesChannels of the namespace that a channel selector leaves
	// out of Channels: an order may come from them too.
	OtherChannels []string
}

// knows says whether name is a SalesChannel of the namespace, in scope or not.
func (s *Scope) knows(name string) bool {
	for i := range s.Channels {
		if s.Channels[i].Name == name {
			return true
		}
	}
	return slices.Contains(s.OtherChannels, name)
}

// Directory supplies the relay's scope, read afresh for every request so a mode change
// applies to the next event, and a channel's credential (the Shopify access token or the
// webhook signing secret).
type Directory interface {
	Scope(ctx context.Context) (Scope, error)
	Credential(ctx context.Context, ch *v1alpha1.SalesChannel) ([]byte, error)
	// ConfigMapKey returns the value of a key of a ConfigMap in namespace, the namespace of
	// the SalesChannel whose catalog mapping names it, and a version that changes with the
	// ConfigMap, so a mapping is parsed again only when it changed.
	ConfigMapKey(ctx context.Context, namespace string, ref v1alpha1.ConfigMapKeySelector) (value []byte, version string, err error)
}

// StaticDirectory is a Directory held in memory, for tests and local runs. Set replaces the
// scope at once, as a cache-backed directory sees an update.
type StaticDirectory struct {
	mu          sync.RWMutex
	scope       Scope
	credentials map[string][]byte
	configMaps  map[string]staticConfigMap
}

type staticConfigMap struct {
	data    map[string]string
	version int
}

// NewStaticDirectory returns a directory with this scope and no credentials.
func NewStaticDirectory(scope Scope) *StaticDirectory {
	return &StaticDirectory{scope: scope, credentials: map[string][]byte{}, configMaps: map[string]staticConfigMap{}}
}

// SetConfigMap creates or replaces the data of the ConfigMap name of namespace.
func (d *StaticDirectory) SetConfigMap(namespace, name string, data map[string]string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := namespace + "/" + name
	d.configMaps[k] = staticConfigMap{data: data, version: d.configMaps[k].version + 1}
}

// ConfigMapKey returns the value of a key of a ConfigMap set with SetConfigMap.
func (d *StaticDirectory) ConfigMapKey(_ context.Context, namespace string, ref v1alpha1.ConfigMapKeySelector) ([]byte, string, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	cm, ok := d.configMaps[namespace+"/"+ref.Name]
	if !ok {
		return nil, "", fmt.Errorf("ConfigMap %s does not exist", ref.Name)
	}
	v, ok := cm.data[ref.Key]
	if !ok {
		return nil, "", fmt.Errorf("ConfigMap %s has no key %q", ref.Name, ref.Key)
	}
	return []byte(v), strconv.Itoa(cm.version), nil
}

// Set replaces the scope.
func (d *StaticDirectory) Set(scope Scope) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.scope = scope
}

// SetCredential stores the value of key in the Secret secretName of namespace.
func (d *StaticDirectory) SetCredential(namespace, secretName, key string, value []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.credentials[namespace+"/"+secretName+"/"+key] = value
}

// Scope returns a copy of the scope's lists.
func (d *StaticDirectory) Scope(context.Context) (Scope, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return Scope{
		Channels:      append([]v1alpha1.SalesChannel(nil), d.scope.Channels...),
		Syncs:         append([]v1alpha1.InventorySync(nil), d.scope.Syncs...),
		OtherChannels: slices.Clone(d.scope.OtherChannels),
	}, nil
}

// Credential returns the value the channel's credentialsSecretRef points at.
func (d *StaticDirectory) Credential(_ context.Context, ch *v1alpha1.SalesChannel) ([]byte, error) {
	ref := ch.Spec.Connection.CredentialsSecretRef
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.credentials[ch.Namespace+"/"+ref.Name+"/"+ref.Key]
	if !ok {
		return nil, fmt.Errorf("secret %s has no key %q", ref.Name, ref.Key)
	}
	return v, nil
}
