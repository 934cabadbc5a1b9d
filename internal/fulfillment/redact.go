package fulfillment

import (
	"net/url"
	"sort"
	"strings"
)

// redactURL renders a feed URL for messages: scheme, host and path, with userinfo dropped and
// query values replaced, since either may carry a credential.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		keys := make([]string, 0)
		for key := range u.Query() {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, key := range keys {
			parts[i] = url.QueryEscape(key) + "=REDACTED"
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.String()
}
