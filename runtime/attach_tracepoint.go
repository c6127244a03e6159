package runtime

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// AttachTracepoint attaches a TracePoint program to the tracepoint named
// "group:event" (no wildcards: expand patterns with Tracefs.Match first).
// The kernel's tracepoint id is read from tracefs, which is mounted here if
// no one has (call OpenTracefs first to log that for -v). The program is
// linked to a perf event of that tracepoint with a bpf link, as the perf
// events of interval and profile are (attachPerfEvent), which spares
// link.Tracepoint's own tracefs search and its feature probe at every
// start.
func AttachTracepoint(prog *ebpf.Program, name string) (io.Closer, error) {
	group, event, ok := strings.Cut(name, ":")
	if !ok || hasWildcard(name) || group == "" || event == "" {
		return nil, fmt.Errorf("tracepoint %q: want group:event without wildcards", name)
	}
	fs, err := OpenTracefs(true, nil)
	if err != nil {
		return nil, err
	}
	id, err := fs.eventID(group, event)
	if err != nil {
		return nil, err
	}
	attr := &unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_TRACEPOINT,
		Config:      id,
		Sample:      1,
		Sample_type: unix.PERF_SAMPLE_RAW,
		Wakeup:      1,
	}
	attr.Size = uint32(unsafe.Sizeof(*attr))
	// A tracepoint's programs run on every CPU whichever CPU its perf
	// event is opened on.
	fd, err := unix.PerfEventOpen(attr, -1, 0, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("opening the perf event of tracepoint %s: %w", name, err)
	}
	l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("linking program to tracepoint %s: %w", name, err)
	}
	return &tracepointLink{link: l, fd: fd}, nil
}

// tracepointLink is a tracepoint's bpf link and its perf event. The event's
// descriptor stays open while the program is attached so that tools that
// look for programs through the perf events of a process (bpftool perf
// show, bench/overhead.sh) find it, as with link.Tracepoint.
type tracepointLink struct {
	link link.Link
	fd   int
}

// Close detaches the program, then lets the kernel release the perf event
// in the background (releaseLater). Closing the bpf link unhooks the
// program at once and waits for the runs in flight, so nothing of the
// program runs once Close returns; only the tracepoint's unregistration,
// which waits for RCU grace periods (some 28ms on 6.x for a syscall
// tracepoint, more than the rest of a short run), is left to a kernel
// worker instead of delaying gbt's exit.
func (t *tracepointLink) Close() error {
	err := t.link.Close()
	if cerr := releaseLater(t.fd); err == nil {
		err = cerr
	}
	return err
}

// releaseLater closes the perf event fd and has the kernel free the event
// from a worker rather than in this process. The event is first stored in
// a one-entry perf event array: closing the array's descriptor drops the
// event from it through an RCU callback, and a file whose last reference
// goes in such a callback is released by the kernel's delayed fput work
// instead of by the task that closed it (which, when gbt exits, would keep
// the exit waiting). If that fails, the event is freed here.
func releaseLater(fd int) error {
	arr, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return unix.Close(fd)
	}
	// Once fd is closed, the array's entry is the event's last reference.
	defer arr.Close()
	arr.Put(uint32(0), uint32(fd)) // if this fails, the close below frees the event
	return unix.Close(fd)
}

// eventID reads the kernel's id of tracepoint group:event.
func (t *Tracefs) eventID(group, event string) (uint64, error) {
	if strings.Contains(group+event, "/") || group == ".." || event == ".." {
		return 0, fmt.Errorf("tracepoint %s:%s: bad name", group, event)
	}
	b, err := os.ReadFile(filepath.Join(t.Dir, "events", group, event, "id"))
	if os.IsNotExist(err) {
		return 0, fmt.Errorf("tracepoint %s:%s not found", group, event)
	}
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("tracepoint %s:%s: bad id %q", group, event, b)
	}
	return id, nil
}
