package runtime

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitDone waits for a channel to close, failing the test after a while.
func waitDone(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still running after 10s", what)
	}
}

func readComm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// TestStartHeld checks that a held command does nothing until released,
// keeps its pid through the exec (cpid), and reports its exit status.
func TestStartHeld(t *testing.T) {
	tests := []struct {
		command string
		out     string // "$PID" stands for the held pid
		code    int
	}{
		{`sh -c 'echo $$'`, "$PID\n", 0},
		{"echo held  ok", "held ok\n", 0},
		{"false", "", 1},
		{"echo a; echo b", "a\nb\n", 0},
		{"A=7 sh -c 'echo $A'", "7\n", 0},
		{"sh -c 'kill -9 $$'", "", 137},
		{"/no/such/program", "", 127},
	}
	for i, tt := range tests {
		// A file, not a buffer: the command writes to it directly, so
		// the test can look at it while the command is held.
		out, err := os.Create(filepath.Join(t.TempDir(), fmt.Sprint("out", i)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := StartHeld(tt.command, nil, out, nil)
		if err != nil {
			t.Fatalf("StartHeld(%q): %v", tt.command, err)
		}
		time.Sleep(20 * time.Millisecond)
		if early, _ := os.ReadFile(out.Name()); len(early) != 0 || readComm(h.Pid) != "sh" {
			t.Errorf("%q ran before its release (output %q, comm %q)", tt.command, early, readComm(h.Pid))
		}
		if err := h.Release(); err != nil {
			t.Fatal(err)
		}
		waitDone(t, h.Done(), tt.command)
		out.Close()
		got, _ := os.ReadFile(out.Name())
		want := strings.ReplaceAll(tt.out, "$PID", fmt.Sprint(h.Pid))
		if string(got) != want || h.ExitCode() != tt.code {
			t.Errorf("%q printed %q and exited %d, want %q and %d", tt.command, got, h.ExitCode(), want, tt.code)
		}
		if err := h.Close(); err != nil {
			t.Errorf("Close after exit: %v", err)
		}
	}
	if _, err := StartHeld("  ", nil, nil, nil); err == nil {
		t.Error("StartHeld of an empty command: no error")
	}
}

// TestStartHeldExecs checks that the held pid becomes the command itself.
func TestStartHeldExecs(t *testing.T) {
	h, err := StartHeld("sleep 5", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.Release(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for readComm(h.Pid) != "sleep" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := readComm(h.Pid); got != "sleep" {
		t.Errorf("held pid %d runs %q after its release, want sleep", h.Pid, got)
	}
	p, err := os.FindProcess(h.Pid)
	if err != nil {
		t.Fatal(err)
	}
	p.Kill()
	p.Release()
	waitDone(t, h.Done(), "sleep 5")
}

func TestStartHeldNeverReleased(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	h, err := StartHeld("touch "+marker, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("a command closed before its release ran")
	}
	if h.ExitCode() != 126 {
		t.Errorf("unreleased command exited %d, want 126", h.ExitCode())
	}
}

func TestCheckProcess(t *testing.T) {
	for _, pid := range []int{os.Getpid(), 1} {
		if err := CheckProcess(pid); err != nil {
			t.Errorf("CheckProcess(%d): %v", pid, err)
		}
	}
	for _, pid := range []int{1 << 30, 0, -5} {
		err := CheckProcess(pid)
		var nf *ProcessNotFoundError
		if !errors.As(err, &nf) || err.Error() != fmt.Sprintf("process %d does not exist", pid) {
			t.Errorf("CheckProcess(%d) = %v, want process %d does not exist", pid, err, pid)
		}
	}
}

func TestWatchProcess(t *testing.T) {
	cmd := exec.Command("sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w, err := WatchProcess(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.Done():
		t.Error("Done before the process exited")
	default:
	}
	waitDone(t, w.Done(), "watch of sleep 0.2")
	cmd.Wait()
	if err := w.Close(); err != nil {
		t.Error(err)
	}

	self, err := WatchProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		self.Close()
		close(closed)
	}()
	waitDone(t, closed, "Close of a watch on a live process")
	select {
	case <-self.Done():
		t.Error("a closed watch of a live process reports an exit")
	default:
	}

	var nf *ProcessNotFoundError
	if _, err := WatchProcess(1 << 30); !errors.As(err, &nf) {
		t.Errorf("WatchProcess of a missing process: %v", err)
	}
}

// StartHeld returns once the shell blocks on its release pipe: nothing it
// does before the release is left to happen after the probes attach.
func TestStartHeldWaitsForTheShell(t *testing.T) {
	for range 5 {
		start := time.Now()
		h, err := StartHeld("true", nil, nil, nil)
		if d := time.Since(start); d >= heldWait {
			t.Errorf("StartHeld took %v: it did not see the shell's read", d)
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/syscall", h.Pid))
		h.Close()
		if err != nil {
			t.Skipf("reading the shell's system call: %v", err)
		}
		if !strings.HasPrefix(string(b), "0 0x0 ") && !strings.HasPrefix(string(b), "0 0x3 ") {
			t.Fatalf("held shell in system call %q, want a read of the pipe", b)
		}
	}
}
