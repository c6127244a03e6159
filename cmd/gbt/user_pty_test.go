package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal pair: the controlling side and the
// terminal a program runs on.
func openPty(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0)
	}
	if err != nil {
		ptm.Close()
		t.Fatalf("setting up the pseudo-terminal: %v", err)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		ptm.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { ptm.Close(); pts.Close() })
	return ptm, pts
}

// bash's readline through a uretprobe: an interactive bash on a terminal
// reads each command line with readline(), whose return value is the line.
func TestBashReadline(t *testing.T) {
	userPrerequisites(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	ptm, pts := openPty(t)
	cmd := exec.Command(bash, "--norc", "--noprofile", "-i")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.Env = append(os.Environ(), "TERM=dumb", "PS1=$ ")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	// Attach once bash waits in readline for its first line, which the
	// uretprobe then misses (it arms at a call's entry): it is not counted.
	prompt := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		seen, prompted := "", false
		for {
			n, err := ptm.Read(buf)
			if err != nil {
				return
			}
			if seen += string(buf[:n]); strings.Contains(seen, "$ ") && !prompted {
				close(prompt)
				prompted = true
			}
		}
	}()
	select {
	case <-prompt:
	case <-time.After(10 * time.Second):
		t.Fatal("no prompt from bash")
	}
	g := startGbt(t, "-p", fmt.Sprint(cmd.Process.Pid), "-e",
		fmt.Sprintf(`uretprobe:%s:readline { printf("read: %%s\n", str(retval)); @lines = count(); }`, bash))
	for _, line := range []string{"echo zero", "echo one", "true two", "exit"} {
		if _, err := io.WriteString(ptm, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("bash did not exit")
	}
	got := g.wait(t)
	want := "read: echo one\nread: true two\nread: exit\n\n\n@lines: 3\n"
	if got.code != 0 || got.stdout != want {
		t.Errorf("exit %d, output %q, want %q\nstderr:\n%s", got.code, got.stdout, want, strings.TrimSpace(got.stderr))
	}
}
