package runtime

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
)

// Shell is the shell that runs system()'s commands, as popen(3) runs
// them for bpftrace.
const Shell = "/bin/sh"

// runSystem handles an EventSystem record: system(fmt, args...) formats
// the command like printf, runs it with Shell -c, waits for it and prints
// its standard output as one piece, in order with the other output: the
// event loop reads no other record meanwhile, as bpftrace's does not. The
// command's standard error goes where the run's warnings go, its standard
// input is /dev/null, and its exit status is not looked at (bpftrace's is
// not either). A command that cannot be started is reported there and the
// run goes on.
func (r *run) runSystem(rec []byte, index uint32) error {
	if int(index) >= len(r.obj.Systems) {
		return fmt.Errorf("system record with unknown format %d", index)
	}
	sf := r.obj.Systems[index]
	f, err := NewFormat(sf.Format)
	if err != nil {
		return fmt.Errorf("system at %s: %w", sf.Pos, err)
	}
	args := make([]Value, len(sf.Args))
	for i, a := range sf.Args {
		args[i] = r.dec.field(rec, a)
	}
	warn, _ := r.warn.Load().(io.Writer)
	out, err := runShell(string(f.Append(nil, args)), warn)
	if err != nil && warn != nil {
		fmt.Fprintf(warn, "gbt: system(): %v\n", err)
	}
	r.out.Syscall(string(out))
	return nil
}

// runShell runs command with Shell and returns what it wrote to its
// standard output. stderr receives its standard error (nil: discarded).
// The error is about starting the shell; how the command ends is not an
// error.
func runShell(command string, stderr io.Writer) ([]byte, error) {
	var out bytes.Buffer
	cmd := exec.Command(Shell, "-c", command)
	cmd.Stdout = &out
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	_ = cmd.Wait()
	return out.Bytes(), nil
}
