package inventoryctl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// sendOptions are the flags of send: where the relay is, and the events.
type sendOptions struct {
	relay    relayOptions
	file     string
	outcomes []string
	event    relayEvent
	// set records which numeric flags were given, since 0 is a valid increment.
	increment, before, after, sequence int64
}

func newSendCommand(o *options) *cobra.Command {
	so := &sendOptions{}
	cmd := &cobra.Command{
		Use:   "send (-f FILE | --id ID --trigger TRIGGER --sku SKU --fulfillment-channel NAME ...) | send --outcome ID",
		Short: "Post inventory events to the relay and print each event's result per channel location",
		Long: `send posts events to the relay (POST /v1/events, see docs/relay.md) and prints what became of
each on each channel location. Events come from a file (-f, '-' for stdin) holding
{"events": [...]} or a JSON array, or one event from flags. --outcome ID reads instead what
became of an event answered Accepted (GET /v1/events/{id}).

The relay's URL, bearer token and CA come from flags, or from a Secret (--relay-secret) with
the keys url, token and ca.crt; flags win. The token may also come from --token-file or
$INVENTORY_RELAY_TOKEN, which keep it out of your shell history.

The exit code is 1 when an event was refused, failed or throttled.`,
		Example: `  kubectl inventory send --relay-secret relay-client -f events.json
  kubectl inventory send --url https://localhost:8443 --ca-file ca.crt --token-file token \
      --id rcpt-1842-3 --trigger ReceiveReceipt --sku A-100 --fulfillment-channel warehouse-berlin --increment 3
  kubectl inventory send --relay-secret relay-client --outcome rcpt-1842-3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags := cmd.Flags()
			if flags.Changed("increment") {
				so.event.Increment = &so.increment
			}
			if flags.Changed("quantity-before") {
				so.event.QuantityBefore = &so.before
			}
			if flags.Changed("quantity-after") {
				so.event.QuantityAfter = &so.after
			}
			if flags.Changed("sequence") {
				so.event.Sequence = &so.sequence
			}
			var events []json.RawMessage
			if len(so.outcomes) == 0 {
				var err error
				if events, err = so.events(o.streams.In); err != nil {
					return err
				}
			}
			var namespace string
			if so.relay.secret != "" {
				k, err := o.connect()
				if err != nil {
					return err
				}
				namespace = k.namespace
				if err := so.relay.fromSecret(cmd.Context(), k); err != nil {
					return err
				}
			}
			rc, err := so.relay.client(namespace)
			if err != nil {
				return err
			}
			if len(so.outcomes) > 0 {
				return rc.outcomes(cmd.Context(), o.streams.Out, so.outcomes)
			}
			return rc.send(cmd.Context(), o.streams.Out, events)
		},
	}
	f := cmd.Flags()
	so.relay.flags(f)
	f.StringVarP(&so.file, "filename", "f", "", `file of events: {"events": [...]} or a JSON array; '-' reads stdin`)
	f.StringSliceVar(&so.outcomes, "outcome", nil, "read the outcome of these event ids instead of sending (repeatable)")
	f.StringVar(&so.event.ID, "id", "", "event id, unique per event; a retry carries the same")
	f.StringVar(&so.event.Trigger, "trigger", "", "trigger: "+strings.Join(eventTriggers, ", "))
	f.StringVar(&so.event.SKU, "sku", "", "the SKU whose level changed")
	f.StringVar(&so.event.FulfillmentChannel, "fulfillment-channel", "", "the fulfillment channel (warehouse) whose level changed")
	f.Int64Var(&so.increment, "increment", 0, "the change, negative to remove")
	f.Int64Var(&so.before, "quantity-before", 0, "the warehouse's level before the event")
	f.Int64Var(&so.after, "quantity-after", 0, "the warehouse's level after the event")
	f.StringVar(&so.event.SalesChannel, "sales-channel", "", "AllocateOrder: the SalesChannel the order came from")
	f.Int64Var(&so.sequence, "sequence", 0, "the level's sequence per fulfillment channel and SKU (needs --quantity-after)")
	_ = cmd.RegisterFlagCompletionFunc("trigger", cobra.FixedCompletions(eventTriggers, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("sales-channel", completeChannelNames(o))
	_ = cmd.RegisterFlagCompletionFunc("filename", cobra.FixedCompletions([]string{"json"}, cobra.ShellCompDirectiveFilterFileExt))
	return cmd
}

// events reads the events of the file, or the one of the flags.
func (so *sendOptions) events(stdin io.Reader) ([]json.RawMessage, error) {
	single := so.event.ID != "" || so.event.Trigger != "" || so.event.SKU != "" || so.event.FulfillmentChannel != ""
	switch {
	case so.file != "" && single:
		return nil, fmt.Errorf("give events either in a file (-f) or with flags (--id, --trigger, ...), not both")
	case so.file == "" && !single:
		return nil, fmt.Errorf("no events: give a file with -f, or one event with --id, --trigger, --sku and --fulfillment-channel")
	case single:
		var missing []string
		for flag, v := range map[string]string{"--id": so.event.ID, "--trigger": so.event.Trigger, "--sku": so.event.SKU, "--fulfillment-channel": so.event.FulfillmentChannel} {
			if v == "" {
				missing = append(missing, flag)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			return nil, fmt.Errorf("an event given with flags needs %s too", strings.Join(missing, ", "))
		}
		if so.event.Increment == nil && so.event.QuantityAfter == nil {
			return nil, fmt.Errorf("an event needs --increment, or --quantity-before and --quantity-after")
		}
		b, err := json.Marshal(so.event)
		return []json.RawMessage{b}, err
	}
	var data []byte
	var err error
	if so.file == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(so.file)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the events: %w", err)
	}
	return parseEvents(data, so.file)
}

// parseEvents accepts the relay's own body, {"events": [...]}, or just the array.
func parseEvents(data []byte, name string) ([]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	var events []json.RawMessage
	if bytes.HasPrefix(data, []byte("[")) {
		if err := json.Unmarshal(data, &events); err != nil {
			return nil, fmt.Errorf("%s is not a JSON array of events: %w", name, err)
		}
	} else {
		var body relayRequest
		if err := json.Unmarshal(data, &body); err != nil {
			return nil, fmt.Errorf(`%s is neither {"events": [...]} nor a JSON array of events: %w`, name, err)
		}
		events = body.Events
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%s holds no events", name)
	}
	return events, nil
}

// printResults prints one line per event and channel location, then the refused events,
// and counts what did not go through.
func printResults(w io.Writer, resp *relayResponse) (notThrough int) {
	if len(resp.Results) > 0 {
		t := newTable(w, "ID", "SALES CHANNEL", "LOCATION", "STATUS", "DETAIL")
		for _, er := range resp.Results {
			if len(er.Channels) == 0 {
				t.row(er.ID, "-", "-", "-", "no SalesChannel in the relay's scope")
			}
			for _, cr := range er.Channels {
				t.row(er.ID, cr.SalesChannel, orDash(cr.LocationID), cr.Status, detail(er.ID, cr))
				if cr.Status == relayFailed || cr.Status == relayThrottled {
					notThrough++
				}
			}
		}
		t.flush()
	}
	for _, e := range resp.Errors {
		fmt.Fprintf(w, "event %d (%s) refused: %s\n", e.Index, orDash(e.ID), e.Reason)
		notThrough++
	}
	return notThrough
}

// detail says what the relay did, or what to do next.
func detail(id string, cr relayChannelResult) string {
	var parts []string
	if cr.Push != "" && cr.Quantity != nil {
		q := strconv.FormatInt(*cr.Quantity, 10)
		if cr.Push == "Incremental" && *cr.Quantity >= 0 {
			q = "+" + q
		}
		parts = append(parts, cr.Push+" "+q)
	}
	if cr.Replayed {
		parts = append(parts, "replayed: an earlier request applied it")
	}
	if cr.Reason != "" {
		parts = append(parts, cr.Reason)
	}
	if cr.Message != "" {
		parts = append(parts, cr.Message)
	}
	switch cr.Status {
	case relayAccepted:
		parts = append(parts, "held by the ledger, applied once; `kubectl inventory send --outcome "+id+"` tells the outcome later")
	case relayThrottled:
		parts = append(parts, "not taken: send the same events again (the others are recognised by id)")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ": ")
}
