package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
)

// peakMemoryBytes is the process's peak resident set size since it started (VmHWM in
// /proc/self/status), which sizes --sync-memory-limit; false where /proc has no such line.
// The rusage of a wait does not tell it: the kernel counts in the memory of the parent the
// process was started from, up to its exec.
func peakMemoryBytes() (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	return parseVmHWM(data)
}

// parseVmHWM reads the "VmHWM:   1234 kB" line of a /proc status file.
func parseVmHWM(status []byte) (int64, bool) {
	lines := bufio.NewScanner(bytes.NewReader(status))
	for lines.Scan() {
		rest, ok := bytes.CutPrefix(lines.Bytes(), []byte("VmHWM:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, false
		}
		kib, err := strconv.ParseInt(string(fields[0]), 10, 64)
		return kib << 10, err == nil
	}
	return 0, false
}
