package main

import "testing"

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		status string
		want   int64
		ok     bool
	}{
		{"Name:\tinventory-operator\nVmPeak:\t  900 kB\nVmHWM:\t  195328 kB\nVmRSS:\t  1024 kB\n", 195328 << 10, true},
		{"Name:\tx\nVmRSS:\t1 kB\n", 0, false},
		{"VmHWM:\tlots kB\n", 0, false},
		{"VmHWM:\t12 MB\n", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseVmHWM([]byte(tt.status))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseVmHWM(%q) = %d, %v; want %d, %v", tt.status, got, ok, tt.want, tt.ok)
		}
	}
	if peak, ok := peakMemoryBytes(); !ok || peak <= 0 {
		t.Errorf("this process's peak memory reads as %d, %v", peak, ok)
	}
}
