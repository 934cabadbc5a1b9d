package metrics

import "github.com/prometheus/client_golang/prometheus"

// Prefix starts every metric name of the operator.
const Prefix = "inventory_operator"

// Family is one metric as docs/metrics.md lists it.
type Family struct {
	Name   string
	Type   string
	Help   string
	Labels []string
}

// families holds every metric the package defines, in definition order; the tests check
// docs/metrics.md, the dashboard and the alerting rules against it.
var families []Family

func define(typ, subsystem, name, help string, labels []string) prometheus.Opts {
	opts := prometheus.Opts{Namespace: Prefix, Subsystem: subsystem, Name: name, Help: help}
	families = append(families, Family{Name: prometheus.BuildFQName(Prefix, subsystem, name), Type: typ, Help: help, Labels: labels})
	return opts
}

func gaugeVec(subsystem, name, help string, labels ...string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts(define("gauge", subsystem, name, help, labels)), labels)
}

func counterVec(subsystem, name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts(define("counter", subsystem, name, help, labels)), labels)
}

func histogramVec(subsystem, name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	o := define("histogram", subsystem, name, help, labels)
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: o.Namespace, Subsystem: o.Subsystem, Name: o.Name, Help: o.Help, Buckets: buckets,
	}, labels)
}

// Families lists every metric the operator can expose.
func Families() []Family { return families }
