package runtime

import (
	"os"
	"testing"
)

// requireKernel skips a test that needs root and a live kernel when the test
// does not run as root, except under GBT_KERNEL_TESTS=1 (set by CI), where a
// skipped kernel test would hide a failure, so it fails instead.
func requireKernel(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("GBT_KERNEL_TESTS") == "1" {
		t.Fatal("kernel test needs root, and GBT_KERNEL_TESTS=1 forbids skipping it")
	}
	t.Skip("kernel test: needs root (set GBT_KERNEL_TESTS=1 to make this a failure)")
}

// liveTracefs returns the running kernel's tracefs, mounting it if needed.
func liveTracefs(t testing.TB) *Tracefs {
	t.Helper()
	requireKernel(t)
	fs, err := OpenTracefs(true, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}
