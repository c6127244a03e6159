package runtime

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// AttachUprobe attaches a Kprobe-type program to a function of a user-space
// binary, at its entry (KindUprobe) or its return (KindUretprobe). ap.Target
// is the binary's path, ap.Symbol the function (plus ap.Offset bytes) or,
// when empty, ap.Offset is the address in the binary; ap.Pid limits the
// probe to one process.
func AttachUprobe(prog *ebpf.Program, ap AttachPoint) (link.Link, error) {
	exe, err := link.OpenExecutable(ap.Target)
	if err != nil {
		return nil, err
	}
	opts := &link.UprobeOptions{PID: ap.Pid}
	if ap.Symbol == "" {
		opts.Address = ap.Offset
	} else {
		opts.Offset = ap.Offset
	}
	switch ap.Kind {
	case KindUprobe:
		return exe.Uprobe(ap.Symbol, prog, opts)
	case KindUretprobe:
		return exe.Uretprobe(ap.Symbol, prog, opts)
	}
	return nil, fmt.Errorf("AttachUprobe: kind %q is not a uprobe", ap.Kind)
}
