package runtime

import (
	"testing"
)

// The warm-up loads and runs its program and closes everything it opened
// (TestMain fails the run on a leaked descriptor).
func TestWarm(t *testing.T) {
	requireKernel(t)
	if err := warm(); err != nil {
		t.Fatal(err)
	}
}

// Heap pages populated ahead of use still read as zero when allocated.
func TestPrefaultHeap(t *testing.T) {
	PrefaultHeap(1 << 20)
	for range 64 {
		b := make([]byte, 16<<10)
		for i, c := range b {
			if c != 0 {
				t.Fatalf("byte %d of a new allocation is %#x", i, c)
			}
		}
	}
}
