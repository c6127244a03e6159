package runtime

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// AttachRawTracepoint attaches a RawTracepoint program to the raw
// tracepoint event, such as "sched_switch" or "sys_enter". The program sees
// the tracepoint's untyped arguments (struct bpf_raw_tracepoint_args).
func AttachRawTracepoint(prog *ebpf.Program, event string) (link.Link, error) {
	return link.AttachRawTracepoint(link.RawTracepointOptions{Name: event, Program: prog})
}
