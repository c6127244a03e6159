package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// These end-to-end tests run the gbt command (testscript.Main put it on
// PATH) where a golden file cannot say what is right: counts with a
// tolerance, and JSON parsed back.

// gbtRun runs gbt with args and returns its stdout, failing the test if
// it does not exit 0 within 20 seconds.
func gbtRun(t *testing.T, args ...string) []byte {
	t.Helper()
	if !kernelTests() {
		t.Skip("needs root (GBT_KERNEL_TESTS=1 makes this a failure)")
	}
	cmd := exec.Command("gbt", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("gbt %q: %v\nstderr:\n%s", args, err, stderr.Bytes())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("gbt %q still running after 20s\nstdout:\n%s\nstderr:\n%s", args, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// workloadAs returns the name of a link to the workload, in a directory of
// the test's own, named so that its comm is unique on the machine.
func workloadAs(t *testing.T, prefix string) (dir, name string) {
	t.Helper()
	wl := workload(t)
	dir = t.TempDir()
	name = fmt.Sprintf("%s%d", prefix, os.Getpid()%100000)
	if err := os.Symlink(wl, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	return dir, name
}

// TestIntervalFires checks that interval:ms:100 fires ten times in the
// first second (give or take one, as the two timers start one after the
// other). The count is read in the kernel when interval:s:1 fires, so
// the time gbt takes to detach does not matter.
func TestIntervalFires(t *testing.T) {
	out := gbtRun(t, "-q", "-e",
		`interval:ms:100 { @n++; } interval:s:1 { printf("ticks %d\n", @n); exit(); }`)
	line, _, _ := strings.Cut(string(out), "\n")
	n, err := strconv.Atoi(strings.TrimPrefix(line, "ticks "))
	if err != nil {
		t.Fatalf("output %q: want ticks N first", out)
	}
	if n < 9 || n > 11 {
		t.Errorf("interval:ms:100 fired %d times in 1s, want 10±1", n)
	}
}

// TestJSONOutput parses -f json output back, one object per line: the
// attach notice, printf, and each kind of map.
func TestJSONOutput(t *testing.T) {
	dir, wl := workloadAs(t, "wlj")
	script := `BEGIN { printf("hello %d\n", 42); }
tracepoint:syscalls:sys_enter_getppid /comm == str($1)/ {
	@c = count(); @k[comm, 1] = sum(2); @st = stats(4); @t = (1, "two");
}`
	out := gbtRun(t, "-f", "json", "-e", script, "-c", filepath.Join(dir, wl)+" getppid 5", wl)
	var got []any
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		got = append(got, v)
	}
	want := []any{
		obj("attached_probes", map[string]any{"probes": 2.0}),
		obj("printf", "hello 42\n"),
		obj("map", map[string]any{"@c": 5.0}),
		obj("map", map[string]any{"@k": map[string]any{wl + ",1": 10.0}}),
		obj("stats", map[string]any{"@st": map[string]any{"count": 5.0, "average": 4.0, "total": 20.0}}),
		obj("map", map[string]any{"@t": []any{1.0, "two"}}),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gbt -f json (-want +got):\n%s\noutput:\n%s", diff, out)
	}
}

func obj(typ string, data any) map[string]any {
	return map[string]any{"type": typ, "data": data}
}

// TestCommandEndsWithRun checks that gbt -c does not leave its command
// running when the run ends first (here at exit() in BEGIN), as bpftrace
// does not: the command would sleep 10s, and hold gbt's stdout open
// that long.
func TestCommandEndsWithRun(t *testing.T) {
	start := time.Now()
	gbtRun(t, "-q", "-e", `BEGIN { exit(); }`, "-c", workload(t)+" sleep 10000")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gbt and its command took %v: the command outlived gbt", d.Round(time.Millisecond))
	}
}
