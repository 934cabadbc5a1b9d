package shopifytest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
)

// Shopify hands out bulk operation results as signed storage URLs (Google Cloud Storage V4
// signatures): anyone holding the URL can download the file until it expires, so the URL is
// itself a credential. The fake signs its result URLs the same way in spirit, with a key of
// its own, and refuses a download whose signature does not match.

// signedQuery is the query of a result file's URL.
func (b *bulkRunner) signedQuery(name string) string {
	return url.Values{
		"X-Goog-Algorithm": {"GOOG4-HMAC-SHA256"},
		"X-Goog-Expires":   {"604800"},
		"X-Goog-Signature": {b.signature(name)},
	}.Encode()
}

func (b *bulkRunner) signature(name string) string {
	mac := hmac.New(sha256.New, b.signingKey)
	mac.Write([]byte(name))
	return hex.EncodeToString(mac.Sum(nil))
}

// signedFor reports whether query carries the signature of the named file.
func (b *bulkRunner) signedFor(name string, query url.Values) bool {
	return hmac.Equal([]byte(query.Get("X-Goog-Signature")), []byte(b.signature(name)))
}
