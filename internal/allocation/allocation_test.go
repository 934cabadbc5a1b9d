package allocation

import (
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"
)

func ptr(v int64) *int64 { return &v }

func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules Rules
		level int64
		want  int64
	}{
		{"no rules pass the level through", Rules{}, 37, 37},
		{"no rules pass a negative level through", Rules{}, -3, -3},
		{"a buffer holds units back", Rules{Buffer: 5}, 37, 32},
		{"a buffer never goes below zero", Rules{Buffer: 50}, 37, 0},
		{"a negative level shows zero under rules", Rules{Buffer: 1}, -4, 0},
		{"a percentage rounds down", Rules{Percent: ptr(50)}, 37, 18},
		{"the percentage applies after the buffer", Rules{Buffer: 7, Percent: ptr(50)}, 37, 15},
		{"a maximum caps", Rules{Maximum: ptr(10)}, 37, 10},
		{"the maximum applies last", Rules{Buffer: 7, Percent: ptr(50), Maximum: ptr(12)}, 37, 12},
		{"below the threshold the channel shows zero", Rules{Threshold: 5}, 4, 0},
		{"at the threshold the level shows", Rules{Threshold: 5}, 5, 5},
		{"the threshold reads the level before the buffer", Rules{Threshold: 5, Buffer: 3}, 6, 3},
		{"zero percent shows nothing", Rules{Percent: ptr(0)}, 37, 0},
		{"a maximum of zero shows nothing", Rules{Maximum: ptr(0)}, 37, 0},
		{"the quantity bound does not overflow", Rules{Percent: ptr(100)}, 1_000_000_000, 1_000_000_000},
		{"the worked example of the README", Rules{Threshold: 10, Buffer: 5, Percent: ptr(80), Maximum: ptr(500)}, 120, 92},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Apply(tc.rules, tc.level); got != tc.want {
				t.Errorf("Apply(%+v, %d) = %d, want %d", tc.rules, tc.level, got, tc.want)
			}
		})
	}
}

// randomRules draws rules within the bounds the API accepts.
type randomRules struct{ Rules }

func (randomRules) Generate(r *rand.Rand, _ int) reflect.Value {
	var rules Rules
	if r.Intn(2) == 0 {
		rules.Threshold = r.Int63n(1000)
	}
	if r.Intn(2) == 0 {
		rules.Buffer = r.Int63n(1000)
	}
	if r.Intn(2) == 0 {
		rules.Percent = ptr(r.Int63n(101))
	}
	if r.Intn(2) == 0 {
		rules.Maximum = ptr(r.Int63n(100_000))
	}
	return reflect.ValueOf(randomRules{rules})
}

// level draws a fulfillment level within the quantity bound, mostly small.
type level int64

func (level) Generate(r *rand.Rand, _ int) reflect.Value {
	if r.Intn(4) == 0 {
		return reflect.ValueOf(level(r.Int63n(2_000_000_001) - 1_000_000_000))
	}
	return reflect.ValueOf(level(r.Int63n(5000) - 50))
}

var quickConfig = &quick.Config{MaxCount: 20000}

func TestApplyIsNeverNegativeUnderRules(t *testing.T) {
	err := quick.Check(func(r randomRules, l level) bool {
		return r.Empty() || Apply(r.Rules, int64(l)) >= 0
	}, quickConfig)
	if err != nil {
		t.Error(err)
	}
}

func TestApplyNeverExceedsTheMaximum(t *testing.T) {
	err := quick.Check(func(r randomRules, l level) bool {
		return r.Maximum == nil || Apply(r.Rules, int64(l)) <= *r.Maximum
	}, quickConfig)
	if err != nil {
		t.Error(err)
	}
}

func TestApplyNeverDecreasesWhenTheLevelIncreases(t *testing.T) {
	err := quick.Check(func(r randomRules, l level, step uint16) bool {
		lower := int64(l)
		higher := lower + int64(step)
		return Apply(r.Rules, higher) >= Apply(r.Rules, lower)
	}, quickConfig)
	if err != nil {
		t.Error(err)
	}
}
