// Package kubedirectory is the relay's Directory backed by the Kubernetes API. SalesChannels and
// InventorySyncs are read through a controller-runtime cache restricted to the relay's
// namespace, so a change applies to the next event without a restart. Secrets are read one by
// one, by name, straight from the API server: the relay never holds every Secret of its
// namespace in memory and needs only `get` on Secrets.
package kubedirectory

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/relay"
)

// Directory lists SalesChannels (those matching a label selector in scope, the others by
// name), InventorySyncs and reads Secrets and ConfigMaps in one namespace.
type Directory struct {
	reader    client.Reader
	secrets   client.Reader
	namespace string
	selector  labels.Selector
}

var _ relay.Directory = (*Directory)(nil)

// New returns a directory listing channels and syncs through reader, normally a cache, and
// reading Secrets and ConfigMaps through secrets, which must not be a cache (a client that goes to the API
// server, such as a manager's APIReader). A nil selector selects every SalesChannel of the
// namespace.
func New(reader, secrets client.Reader, namespace string, selector labels.Selector) *Directory {
	if selector == nil {
		selector = labels.Everything()
	}
	return &Directory{reader: reader, secrets: secrets, namespace: namespace, selector: selector}
}

// Scope lists the channels in scope, the names of the namespace's other SalesChannels (an
// order may come from one of them) and the namespace's InventorySyncs. The reader must see
// every SalesChannel of the namespace, not only the selected ones.
func (d *Directory) Scope(ctx context.Context) (relay.Scope, error) {
	var channels v1alpha1.SalesChannelList
	if err := d.reader.List(ctx, &channels, client.InNamespace(d.namespace)); err != nil {
		return relay.Scope{}, fmt.Errorf("listing SalesChannels: %w", err)
	}
	var syncs v1alpha1.InventorySyncList
	if err := d.reader.List(ctx, &syncs, client.InNamespace(d.namespace)); err != nil {
		return relay.Scope{}, fmt.Errorf("listing InventorySyncs: %w", err)
	}
	scope := relay.Scope{Syncs: syncs.Items}
	for _, ch := range channels.Items {
		if d.selector.Matches(labels.Set(ch.Labels)) {
			scope.Channels = append(scope.Channels, ch)
		} else {
			scope.OtherChannels = append(scope.OtherChannels, ch.Name)
		}
	}
	return scope, nil
}

// ConfigMapKey reads a key of a ConfigMap of the directory's namespace by name, straight from
// the API server as Secrets are, so the relay holds no ConfigMap it was not told of and needs
// only `get` on ConfigMaps; the relay keeps the parsed mapping and reads it again at most
// every half minute. A ConfigMap of another namespace is refused: a mapping names one of its
// object's own namespace.
func (d *Directory) ConfigMapKey(ctx context.Context, namespace string, ref v1alpha1.ConfigMapKeySelector) ([]byte, string, error) {
	if namespace != d.namespace {
		return nil, "", fmt.Errorf("ConfigMap %s is not in the relay's namespace %s", ref.Name, d.namespace)
	}
	var cm corev1.ConfigMap
	if err := d.secrets.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, &cm); err != nil {
		return nil, "", fmt.Errorf("reading ConfigMap %s: %w", ref.Name, err)
	}
	if v, ok := cm.Data[ref.Key]; ok {
		return []byte(v), cm.ResourceVersion, nil
	}
	if v, ok := cm.BinaryData[ref.Key]; ok {
		return v, cm.ResourceVersion, nil
	}
	return nil, "", fmt.Errorf("ConfigMap %s has no key %q", ref.Name, ref.Key)
}

// Credential reads the key of the Secret the channel's credentialsSecretRef names, trimmed as
// the sync role trims it. The error names the Secret and key, never the value. One of the
// operator's own Secrets (v1alpha1.IsOperatorSecret), such as the relay's own tokens, is
// refused: the relay would send it to the URL the channel names.
func (d *Directory) Credential(ctx context.Context, ch *v1alpha1.SalesChannel) ([]byte, error) {
	ref := ch.Spec.Connection.CredentialsSecretRef
	if v1alpha1.IsOperatorSecretName(ref.Name) {
		return nil, errors.New(v1alpha1.OperatorSecretMessage(ref.Name))
	}
	var secret corev1.Secret
	if err := d.secrets.Get(ctx, client.ObjectKey{Namespace: ch.Namespace, Name: ref.Name}, &secret); err != nil {
		return nil, fmt.Errorf("reading Secret %s: %w", ref.Name, err)
	}
	if v1alpha1.IsOperatorSecret(secret.Name, secret.Labels) {
		return nil, errors.New(v1alpha1.OperatorSecretMessage(ref.Name))
	}
	v, ok := secret.Data[ref.Key]
	if !ok {
		return nil, fmt.Errorf("Secret %s has no key %q", ref.Name, ref.Key)
	}
	credential := channel.TrimCredential(string(v))
	if credential == "" {
		return nil, fmt.Errorf("Secret %s has an empty key %q", ref.Name, ref.Key)
	}
	return []byte(credential), nil
}
