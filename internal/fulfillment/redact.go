package fulfillment

import "github.com/techoms/inventory-operator/internal/egress"

// redactURL renders a feed URL for messages, by the rule every outbound request follows.
var redactURL = egress.URL
