package runtime

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// AttachTracepoint attaches a TracePoint program to the tracepoint named
// "group:event" (no wildcards: expand patterns with Tracefs.Match first).
// The caller must have made sure tracefs is mounted (OpenTracefs), since
// the kernel's tracepoint ids are read from it.
func AttachTracepoint(prog *ebpf.Program, name string) (link.Link, error) {
	group, event, ok := strings.Cut(name, ":")
	if !ok || hasWildcard(name) {
		return nil, fmt.Errorf("tracepoint %q: want group:event without wildcards", name)
	}
	return link.Tracepoint(group, event, prog, nil)
}
