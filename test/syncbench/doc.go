// Package syncbench measures whole synchronization runs against the fake Shopify store: the
// run's length against the rate limit's floor, writes limited to the SKUs that differ, and
// the sync binary's peak memory for a million SKUs, with and without a catalog mapping of
// kits and aliases. The benchmarks are in its test files; run them with `make bench-sync`.
package syncbench
