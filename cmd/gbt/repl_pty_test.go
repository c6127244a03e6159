package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/gbt-project/gbt/runtime/usdttest"
)

// ptySession is gbt repl running on a pseudo-terminal.
type ptySession struct {
	t    *testing.T
	tty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer // everything the terminal showed
	seen int          // how much of out expect has consumed
	done chan struct{}
}

func startPTY(t *testing.T, home string, args ...string) *ptySession {
	t.Helper()
	cmd := exec.Command("gbt", args...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	s := &ptySession{t: t, tty: tty, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		tty.Close()
	})
	return s
}

// send types text.
func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.tty.WriteString(text); err != nil {
		s.t.Fatal(err)
	}
}

// expect waits until the terminal shows want after what earlier calls
// consumed, and consumes up to its end.
func (s *ptySession) expect(want string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		rest := s.out.String()[s.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			s.seen += i + len(want)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			s.t.Fatalf("the terminal did not show %q; after the last match it showed:\n%q", want, rest)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestREPLTerminal drives the REPL through a pseudo-terminal: the prompt,
// the continuation prompt, completion of commands, probe kinds, tracepoint
// names, builtins and map names, Ctrl-C on a line and on a running
// command (neither detaches anything), output streaming while the prompt
// waits, the history file, and Ctrl-D, which prints the maps.
func TestREPLTerminal(t *testing.T) {
	if !kernelTests() {
		t.Skip("needs root for the kernel")
	}
	home := t.TempDir()
	s := startPTY(t, home, "repl")
	s.expect(">>> ")

	// Continuation until the braces balance; a builtin completed.
	s.send("BEGIN {\r")
	s.expect("... ")
	s.send("printf(\"cpus %d\\n\", ncp\t > 0); @n = 5; }\r")
	s.expect("[1] attached 1 probe")
	s.expect("cpus 1")
	s.expect(">>> ")

	// A probe kind, a tracepoint name and a map name completed.
	s.send("tracepo\tsyscalls:sys_enter_getpp\t { @calls = count(); }\r")
	s.expect("[2] attached 1 probe")
	s.send("print @n\t\r")
	s.expect("@n: 5")

	// Ctrl-C clears the line being typed.
	s.send("tracepoint:sys")
	s.send("\x03")
	s.expect("^C")
	s.expect(">>> ")

	// Ctrl-C stops a running command, not the session.
	start := time.Now()
	s.send("!sleep 20\r")
	time.Sleep(300 * time.Millisecond)
	s.send("\x03")
	s.expect("gbt: sleep 20: interrupted")
	s.expect(">>> ")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Ctrl-C did not stop the command (%v)", d)
	}

	// A command completed; nothing was detached.
	s.send(".pro\t\r")
	s.expect("[1] BEGIN {")
	s.expect("[2] tracepoint:syscalls:sys_enter_getppid { @calls = count(); }")

	// Output streams while the prompt waits, which readline redraws;
	// detaching stops it.
	s.send("interval:ms:50 { printf(\"tick\\n\"); }\r")
	s.expect("[3] attached 1 probe")
	for range 3 {
		s.expect("tick")
		s.expect(">>> ")
	}
	s.send(".detach 3\r")
	s.expect("[3] detached")

	// An error keeps the session going.
	s.send("BEGIN { @n = \"s\"; }\r")
	s.expect("ERROR: Type mismatch for @n")
	s.expect(">>> ")

	// Ctrl-D ends the session with the maps.
	s.send("\x04")
	s.expect("@n: 5")
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("gbt did not end at Ctrl-D")
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("gbt repl: %v", err)
	}
	hist, err := os.ReadFile(filepath.Join(home, historyName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), "print @n\n") || !strings.Contains(string(hist), "!sleep 20\n") {
		t.Errorf("history file:\n%s", hist)
	}
}

// TestREPLNoArgs starts the REPL as gbt with no script on a terminal; .quit
// ends it.
func TestREPLNoArgs(t *testing.T) {
	if !kernelTests() {
		t.Skip("needs root for the kernel")
	}
	s := startPTY(t, t.TempDir())
	s.expect("type a probe block to attach it")
	s.expect(">>> ")
	s.send(".quit\r")
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("gbt did not end at .quit")
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("gbt: %v", err)
	}
}

// TestREPLTerminalUser completes a user probe on a terminal: the binary's
// path, then its function and its USDT probe, which attach and fire.
func TestREPLTerminalUser(t *testing.T) {
	if !kernelTests() {
		t.Skip("needs root for the kernel")
	}
	exe := usdttest.Build(t)
	s := startPTY(t, t.TempDir(), "repl")
	s.expect(">>> ")
	s.send("uprobe:" + strings.TrimSuffix(exe, "sdt") + "\tgbt_ad\t { @add = count(); }\r")
	s.expect("[1] attached 1 probe")
	s.send("usdt:" + exe + ":gbt:con\t { @consts = count(); }\r")
	s.expect("[2] attached 1 probe")
	s.send("!" + exe + " loop 3\r")
	s.expect("semaphore hits")
	s.send(".quit\r")
	s.expect("@add: 3")
	s.expect("@consts: 3")
}
