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

// waitingUSDT starts the test program in its "wait" mode and returns its
// pid and the function addresses it printed; it ends when the test does.
func waitingUSDT(t testing.TB, exe string) (int, map[string]uint64) {
	t.Helper()
	cmd := exec.Command(exe, "wait")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout = io.MultiWriter(&stdout, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
		pw.Close()
	})
	addrs := map[string]uint64{}
	sc := bufio.NewScanner(pr)
	for len(addrs) < 3 && sc.Scan() {
		name, hex, _ := strings.Cut(sc.Text(), " ")
		a, err := strconv.ParseUint(strings.TrimPrefix(hex, "0x"), 16, 64)
		if err != nil {
			t.Fatalf("usdt wait printed %q", sc.Text())
		}
		addrs[name] = a
	}
	if len(addrs) < 3 {
		t.Fatalf("usdt wait printed %q", stdout.String())
	}
	go io.Copy(io.Discard, pr)
	return cmd.Process.Pid, addrs
}
