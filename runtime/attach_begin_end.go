package runtime

import (
	"fmt"

	"github.com/cilium/ebpf"
)

// rawTracepointArgs is the context a raw tracepoint program is run with:
// struct bpf_raw_tracepoint_args holds up to MAX_BPF_FUNC_ARGS (12)
// arguments, all zero here.
type rawTracepointArgs [12]uint64

// RunOnce runs a BEGIN or END program once, now, in this thread, with
// BPF_PROG_TEST_RUN. The program must be loaded as a RawTracepoint program
// (the kernel's test run supports that type for tracing programs); it sees
// gbt's own pid, comm and CPU, and zero arguments. RunOnce returns the
// program's return value.
func RunOnce(prog *ebpf.Program) (uint32, error) {
	ret, err := prog.Run(&ebpf.RunOptions{Context: rawTracepointArgs{}})
	if err != nil {
		return 0, fmt.Errorf("running %v once: %w", prog, err)
	}
	return ret, nil
}
