package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// HeldCommand is a command (gbt -c) started but held before it execs, so
// that its pid (the cpid builtin) is known, and probes limited to it are
// attached, before it runs a single instruction of its own.
//
// The held process is a /bin/sh that blocks reading a pipe, then execs the
// command: "read <&3; exec CMD". Release writes to the pipe; closing the
// pipe without a release makes the shell exit without running anything.
// The shell expands the command as a shell would ($VARS, quotes, globs),
// and because it execs a simple command, the process keeps the pid it had
// while held: cpid is the command's pid. A command with shell operators
// (";", "|", "&&", redirections, subshells) or environment assignments
// ("A=1 prog") runs in that shell instead,
// without exec, and cpid is the shell's. Holding the process in a shell
// needs neither ptrace nor a re-executed copy of gbt.
type HeldCommand struct {
	Pid int

	cmd     *exec.Cmd
	release *os.File
	done    chan struct{}
	err     error
	once    sync.Once
}

// shellOperators are the characters that make a command more than one
// simple command; such a command is not exec'd.
const shellOperators = ";&|<>()`\n"

// StartHeld starts command held before exec, with the given standard
// streams (nil: /dev/null). Call Release to let it run, or Close to get
// rid of it unreleased.
func StartHeld(command string, stdin io.Reader, stdout, stderr io.Writer) (*HeldCommand, error) {
	if strings.TrimSpace(command) == "" {
		return nil, errors.New("empty command")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	script := "read -r _ <&3 || exit 126; exec 3<&-; "
	if first := strings.Fields(command)[0]; strings.ContainsAny(command, shellOperators) || strings.Contains(command, "$(") || strings.Contains(first, "=") {
		script += command
	} else {
		script += "exec " + command
	}
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.ExtraFiles = []*os.File{r}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("starting %q: %w", command, err)
	}
	h := &HeldCommand{Pid: cmd.Process.Pid, cmd: cmd, release: w, done: make(chan struct{})}
	go func() {
		h.err = cmd.Wait()
		close(h.done)
	}()
	h.waitHeld()
	return h, nil
}

// heldWait bounds how long StartHeld waits for the shell to reach its read.
const heldWait = 2 * time.Second

// waitHeld waits until the shell has started and blocks reading the
// release pipe, so that probes attached next do not see its
// start-up (which runs under cpid: dash calls getppid, mmap, openat...).
// It gives up quietly after heldWait, or when /proc/PID/syscall cannot be
// read: the command is held all the same, only its shell may be seen.
func (h *HeldCommand) waitHeld() {
	path := fmt.Sprintf("/proc/%d/syscall", h.Pid)
	for deadline := time.Now().Add(heldWait); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		// Blocked in read(2) on the pipe: "0 0x0 ..." (the shell reads
		// `<&3` through its standard input), or "0 0x3 ...".
		if sc := string(b); strings.HasPrefix(sc, "0 0x0 ") || strings.HasPrefix(sc, "0 0x3 ") {
			return
		}
		select {
		case <-h.done:
			return
		default:
		}
	}
}

// Release lets the held command exec and run.
func (h *HeldCommand) Release() error {
	var err error
	h.once.Do(func() {
		_, err = h.release.Write([]byte("\n"))
		if cerr := h.release.Close(); err == nil {
			err = cerr
		}
	})
	return err
}

// Close ends a command that was never released (it exits without running)
// and waits for it; after Release it just waits for the command to exit.
func (h *HeldCommand) Close() error {
	h.once.Do(func() { h.release.Close() })
	<-h.done
	return nil
}

// Done is closed when the command has exited.
func (h *HeldCommand) Done() <-chan struct{} { return h.done }

// ExitCode returns the command's exit status once Done is closed: its exit
// code, or 128+N when signal N killed it (as a shell reports it).
func (h *HeldCommand) ExitCode() int {
	<-h.done
	st := h.cmd.ProcessState
	if st == nil {
		return -1
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

// ProcessNotFoundError says that the process gbt -p names does not exist.
type ProcessNotFoundError struct{ Pid int }

func (e *ProcessNotFoundError) Error() string {
	return fmt.Sprintf("process %d does not exist", e.Pid)
}

// CheckProcess returns a *ProcessNotFoundError when process pid does not
// exist (gbt -p), and nil when it does, even if it belongs to another user.
func CheckProcess(pid int) error {
	if pid <= 0 {
		return &ProcessNotFoundError{Pid: pid}
	}
	switch err := unix.Kill(pid, 0); err {
	case nil, unix.EPERM:
		return nil
	case unix.ESRCH:
		return &ProcessNotFoundError{Pid: pid}
	default:
		return fmt.Errorf("process %d: %w", pid, err)
	}
}

// ProcessWatch tells when a process that is not gbt's child exits (gbt -p).
type ProcessWatch struct {
	done   chan struct{}
	cancel *os.File // writing end of a pipe that wakes the poller on Close
	wg     sync.WaitGroup
}

// WatchProcess watches process pid through a pidfd (pidfd_open), which
// becomes readable when the process exits. It fails with a
// *ProcessNotFoundError when the process does not exist.
func WatchProcess(pid int) (*ProcessWatch, error) {
	if pid <= 0 {
		return nil, &ProcessNotFoundError{Pid: pid}
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil, &ProcessNotFoundError{Pid: pid}
	}
	if err != nil {
		return nil, fmt.Errorf("watching process %d: pidfd_open: %w", pid, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		unix.Close(pidfd)
		return nil, err
	}
	pw := &ProcessWatch{done: make(chan struct{}), cancel: w}
	pw.wg.Go(func() {
		defer unix.Close(pidfd)
		defer r.Close()
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}, {Fd: int32(r.Fd()), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err == nil && fds[0].Revents != 0 {
				close(pw.done)
			}
			return
		}
	})
	return pw, nil
}

// Done is closed when the process has exited (and never, once the watch
// is closed before that).
func (pw *ProcessWatch) Done() <-chan struct{} { return pw.done }

// Close stops watching and releases the pidfd.
func (pw *ProcessWatch) Close() error {
	err := pw.cancel.Close()
	pw.wg.Wait()
	return err
}
