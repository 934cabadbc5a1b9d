// Package egress holds the rules for requests the operator sends to addresses its users
// name (fulfillment feeds, sales channels, the storage a channel points to): what an error
// about such a request may say, and where its credentials may go. The feed reader and every
// connector apply these rules where their errors and requests leave them.
package egress
