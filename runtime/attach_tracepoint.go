package runtime

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// AttachTracepoint attaches a TracePoint program to the tracepoint named
// "group:event" (no wildcards: expand patterns with Tracefs.Match first).
// The kernel's tracepoint ids are read from tracefs, which is mounted here
// if no one has (call OpenTracefs first to log that for -v): cilium/ebpf
// looks for tracefs once per process and remembers a failure.
func AttachTracepoint(prog *ebpf.Program, name string) (link.Link, error) {
	group, event, ok := strings.Cut(name, ":")
	if !ok || hasWildcard(name) {
		return nil, fmt.Errorf("tracepoint %q: want group:event without wildcards", name)
	}
	if _, err := OpenTracefs(true, nil); err != nil {
		return nil, err
	}
	return link.Tracepoint(group, event, prog, nil)
}
