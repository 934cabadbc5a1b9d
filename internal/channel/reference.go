package channel

import (
	"context"
	"net/url"
)

// referenceApp is the app part of the references this operator writes: Shopify shows it in
// the inventory history as the source of a change.
const referenceApp = "inventory-operator"

// Kinds of documents a write can name as its reason.
const (
	// ReferenceSyncRun is a synchronization run, named by its run id.
	ReferenceSyncRun = "SyncRun"
	// ReferenceEvent is one inventory event the relay received, named by its id.
	ReferenceEvent = "InventoryEvent"
	// ReferenceWrite is one write, named by its idempotency key: a relay write carrying
	// several events, or a write whose caller named no reason.
	ReferenceWrite = "InventoryWrite"
)

// Reference is the URI naming the document of kind with id as the reason of a write, in the
// global id form gid://app/Type/id. The id is escaped, so whatever a tenant chose as an event
// id stays one path segment.
func Reference(kind, id string) string {
	return "gid://" + referenceApp + "/" + kind + "/" + url.PathEscape(id)
}

type referenceKey struct{}

// WithReference returns ctx carrying uri as the reason of the writes made with it; a
// connector that can record a reason (Shopify's referenceDocumentUri) sends it.
func WithReference(ctx context.Context, uri string) context.Context {
	return context.WithValue(ctx, referenceKey{}, uri)
}

// ReferenceFrom returns the reason WithReference put in ctx, or "".
func ReferenceFrom(ctx context.Context) string {
	uri, _ := ctx.Value(referenceKey{}).(string)
	return uri
}
