package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestMain fails the run when the tests leave a file descriptor open: every
// map, program, link, perf event and ring buffer reader the runtime opens
// must be closed by the code that opened it.
func TestMain(m *testing.M) {
	// Opening a pipe starts the Go runtime's poller, whose descriptors
	// live for the rest of the process: the snapshot must hold them.
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	before := openFDs()
	code := m.Run()
	var leaked []string
	for fd, target := range openFDs() {
		if _, ok := before[fd]; !ok {
			leaked = append(leaked, fmt.Sprintf("fd %s -> %s", fd, target))
		}
	}
	if len(leaked) > 0 {
		slices.Sort(leaked)
		fmt.Fprintf(os.Stderr, "leaked %d file descriptors:\n", len(leaked))
		for _, l := range leaked {
			fmt.Fprintln(os.Stderr, "\t"+l)
		}
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// openFDs maps each of this process's open descriptors to what it refers to.
func openFDs() map[string]string {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	fds := make(map[string]string, len(entries))
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil {
			// The descriptor used to read the directory is gone already.
			continue
		}
		fds[e.Name()] = target
	}
	return fds
}
