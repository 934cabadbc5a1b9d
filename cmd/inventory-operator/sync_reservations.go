package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/reservation"
	"github.com/techoms/inventory-operator/internal/syncpod"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// reservationSource is the relay's reservations for the run, when the sync has them: read
// with the token from EnvReservationsToken, verifying the relay with EnvRelayCA when set.
func reservationSource(cfg syncpod.Config, getenv func(string) string) (syncrun.ReservationSource, error) {
	if cfg.ReservationsURL == "" {
		return nil, nil
	}
	token := channel.TrimCredential(getenv(syncpod.EnvReservationsToken))
	if token == "" {
		return nil, fmt.Errorf("the relay's bearer token (%s) is empty", syncpod.EnvReservationsToken)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if ca := getenv(syncpod.EnvRelayCA); ca != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(ca)) {
			return nil, errors.New("the relay's CA certificates (" + syncpod.EnvRelayCA + ") hold no PEM certificate")
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return reservation.RelaySource{
		URL: cfg.ReservationsURL, Token: token,
		FulfillmentChannel: cfg.FulfillmentChannel, SalesChannel: cfg.SalesChannel, Reader: cfg.InventorySync,
		OnHand: cfg.QuantityName == v1alpha1.QuantityOnHand,
		Client: &http.Client{Transport: transport, Timeout: time.Minute},
	}, nil
}
