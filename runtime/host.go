package runtime

import (
	"sync"

	"github.com/gbt-project/gbt/codegen"
)

// hostKernel is the codegen.KernelInfo of the running kernel. It opens
// (and, as root, mounts) tracefs only when a tracepoint is first asked
// for, so that scripts without tracepoints compile without it.
type hostKernel struct {
	logf func(format string, args ...any)

	once sync.Once
	info *KernelInfo
	err  error
}

// HostKernelInfo returns the KernelInfo of the running kernel, opening
// tracefs lazily; logf (may be nil) hears about a mount.
func HostKernelInfo(logf func(format string, args ...any)) codegen.KernelInfo {
	return &hostKernel{logf: logf}
}

func (h *hostKernel) open() (*KernelInfo, error) {
	h.once.Do(func() {
		fs, err := OpenTracefs(true, h.logf)
		if err != nil {
			h.err = err
			return
		}
		h.info = NewKernelInfo(fs)
	})
	return h.info, h.err
}

func (h *hostKernel) MatchTracepoints(pattern string) ([]string, error) {
	k, err := h.open()
	if err != nil {
		return nil, err
	}
	return k.MatchTracepoints(pattern)
}

func (h *hostKernel) Tracepoint(group, event string) (*codegen.TracepointFormat, error) {
	k, err := h.open()
	if err != nil {
		return nil, err
	}
	return k.Tracepoint(group, event)
}
