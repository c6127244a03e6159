package runtime

import (
	"os"
	"sync"
	"testing"
)

// TestRingReaderSync checks that Sync returns only once every record sent
// before it was called has been delivered, while the reader keeps running.
func TestRingReaderSync(t *testing.T) {
	requireKernel(t)
	prog, events, drops := eventProgram(t, 64*uint32(os.Getpagesize()))
	r, err := NewRingReader(events, drops)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var mu sync.Mutex
	n := 0
	err = r.Start(func([]byte) error {
		mu.Lock()
		n++
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 3; round++ {
		runTimes(t, prog, 500)
		if err := r.Sync(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := n
		mu.Unlock()
		if got != 500*round {
			t.Fatalf("round %d: %d records delivered at Sync, want %d", round, got, 500*round)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(); err != nil {
		t.Errorf("Sync after Close: %v", err)
	}
}
