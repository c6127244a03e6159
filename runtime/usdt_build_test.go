package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// buildUSDT compiles testdata/usdt with gcc into a temporary directory of
// the test and returns the executable. Without gcc or sys/sdt.h
// (systemtap-sdt-dev) the test is skipped, except under GBT_KERNEL_TESTS=1,
// where CI has installed them and a skip would hide a failure.
func buildUSDT(t testing.TB) string {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("GBT_KERNEL_TESTS") == "1" {
		fail = t.Fatalf
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		fail("building the USDT test program needs gcc: %v", err)
	}
	src := filepath.Join("..", "testdata", "usdt")
	out := filepath.Join(t.TempDir(), "usdt")
	cmd := exec.Command(gcc, "-O2", "-fno-omit-frame-pointer", "-o", out,
		filepath.Join(src, "usdt.c"), filepath.Join(src, "usdt_sem.c"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		if bytes.Contains(msg, []byte("sys/sdt.h")) {
			fail("building the USDT test program needs sys/sdt.h (systemtap-sdt-dev):\n%s", msg)
		}
		t.Fatalf("gcc: %v\n%s", err, msg)
	}
	return out
}

// runUSDTLoop runs the test program's loop of n rounds and returns how
// many rounds saw gbt:counted's semaphore set.
func runUSDTLoop(t testing.TB, exe string, n int) int {
	t.Helper()
	out, err := exec.Command(exe, "loop", strconv.Itoa(n)).Output()
	if err != nil {
		t.Fatalf("%s loop %d: %v", exe, n, err)
	}
	var hits int
	if _, err := fmt.Sscanf(string(out), "semaphore hits: %d", &hits); err != nil {
		t.Fatalf("%s loop %d printed %q", exe, n, out)
	}
	return hits
}

// usdtProc is the test program running in its "wait" mode.
type usdtProc struct {
	pid   int
	addrs map[string]uint64 // gbt_add, gbt_cxx, gbt_loop
	stdin io.WriteCloser
	lines *bufio.Scanner
}

// waitingUSDT starts the test program in its "wait" mode and reads the
// function addresses it prints; the process ends when the test does.
func waitingUSDT(t testing.TB, exe string) *usdtProc {
	t.Helper()
	cmd := exec.Command(exe, "wait")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	p := &usdtProc{pid: cmd.Process.Pid, addrs: map[string]uint64{}, stdin: stdin, lines: bufio.NewScanner(stdout)}
	for len(p.addrs) < 3 && p.lines.Scan() {
		name, hex, _ := strings.Cut(p.lines.Text(), " ")
		a, err := strconv.ParseUint(strings.TrimPrefix(hex, "0x"), 16, 64)
		if err != nil {
			t.Fatalf("usdt wait printed %q", p.lines.Text())
		}
		p.addrs[name] = a
	}
	if len(p.addrs) < 3 {
		t.Fatalf("usdt wait printed only %v", p.addrs)
	}
	return p
}

// round makes the waiting program run one round of its loop.
func (p *usdtProc) round(t testing.TB) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, "\n"); err != nil {
		t.Fatal(err)
	}
	if !p.lines.Scan() || p.lines.Text() != "done" {
		t.Fatalf("usdt wait: no \"done\" after a round: %q, %v", p.lines.Text(), p.lines.Err())
	}
}
