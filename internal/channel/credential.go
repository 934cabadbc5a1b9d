package channel

import "strings"

// TrimCredential is a channel credential (a Shopify access token, a webhook signing secret, a
// feed's bearer token) as read from a Secret, without the line break that `echo` or a file
// leaves at its end. Nothing else is trimmed: a signing secret may begin or end with spaces.
// The sync role and the relay both read credentials through it, so one Secret means the same
// credential to both.
func TrimCredential(raw string) string {
	return strings.TrimRight(raw, "\r\n")
}
