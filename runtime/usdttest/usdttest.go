// Package usdttest builds and drives testdata/usdt, the C program with
// known functions and SDT probes that the tests of user-space tracing
// (uprobes, uretprobes, usdt probes, stacks and symbols) run against, in
// package runtime and in the command's tests alike. It is for tests only.
//
// The program has three modes: `usdt loop N` runs N rounds of its loop and
// prints how many saw the gbt:counted semaphore set; `usdt quiet N` runs
// them printing nothing; `usdt wait` prints
// the addresses of its functions gbt_add, gbt_cxx and gbt_loop (one
// "name 0xADDR" line each), then runs one round for each line read from
// standard input, answering "done".
package usdttest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var build struct {
	once sync.Once
	path string
	err  error
	skip bool // the error is a missing tool, not a failure
}

// Build compiles testdata/usdt with gcc once per test binary and returns
// the executable's path. Without gcc or sys/sdt.h (systemtap-sdt-dev) the
// test skips, except under GBT_KERNEL_TESTS=1, where CI has installed them
// and a skip would hide a failure.
func Build(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		gcc, err := exec.LookPath("gcc")
		if err != nil {
			build.err, build.skip = fmt.Errorf("building the USDT test program needs gcc: %v", err), true
			return
		}
		_, self, _, _ := runtime.Caller(0)
		src := filepath.Join(filepath.Dir(self), "..", "..", "testdata", "usdt")
		dir, err := os.MkdirTemp("", "gbt-usdt")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "usdt")
		out, err := exec.Command(gcc, "-O2", "-g", "-fno-omit-frame-pointer", "-o", build.path,
			filepath.Join(src, "usdt.c"), filepath.Join(src, "usdt_sem.c")).CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("gcc: %v\n%s", err, out)
			if bytes.Contains(out, []byte("sys/sdt.h")) {
				build.err = fmt.Errorf("building the USDT test program needs sys/sdt.h (systemtap-sdt-dev):\n%s", out)
				build.skip = true
			}
		}
	})
	if build.err != nil {
		if build.skip && os.Getenv("GBT_KERNEL_TESTS") != "1" {
			t.Skip(build.err)
		}
		t.Fatal(build.err)
	}
	return build.path
}

// Loop runs the program's loop of n rounds and returns how many rounds saw
// gbt:counted's semaphore set.
func Loop(t testing.TB, exe string, n int) int {
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

// Proc is the program running in its "wait" mode.
type Proc struct {
	Pid   int
	Addrs map[string]uint64 // gbt_add, gbt_cxx, gbt_loop

	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines *bufio.Scanner
}

// Wait starts the program in its "wait" mode and reads the function
// addresses it prints; the process ends when the test does, if Exit has
// not ended it before.
func Wait(t testing.TB, exe string) *Proc {
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
	p := &Proc{Pid: cmd.Process.Pid, Addrs: map[string]uint64{}, cmd: cmd, stdin: stdin, lines: bufio.NewScanner(stdout)}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	for len(p.Addrs) < 3 && p.lines.Scan() {
		name, hex, _ := strings.Cut(p.lines.Text(), " ")
		a, err := strconv.ParseUint(strings.TrimPrefix(hex, "0x"), 16, 64)
		if err != nil {
			t.Fatalf("usdt wait printed %q", p.lines.Text())
		}
		p.Addrs[name] = a
	}
	if len(p.Addrs) < 3 {
		t.Fatalf("usdt wait printed only %v", p.Addrs)
	}
	return p
}

// Round makes the waiting program run one round of its loop.
func (p *Proc) Round(t testing.TB) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, "\n"); err != nil {
		t.Fatal(err)
	}
	if !p.lines.Scan() || p.lines.Text() != "done" {
		t.Fatalf("usdt wait: no \"done\" after a round: %q, %v", p.lines.Text(), p.lines.Err())
	}
}

// Exit ends the program and waits for it.
func (p *Proc) Exit(t testing.TB) {
	t.Helper()
	p.stdin.Close()
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("usdt wait: %v", err)
	}
}
