package runtime

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"
)

// Features records which optional probe kinds the running kernel supports.
// Each field is nil when the feature works and otherwise says why not; every
// such error wraps ebpf.ErrNotSupported.
type Features struct {
	Kprobes      error // kprobe, kretprobe
	Uprobes      error // uprobe, uretprobe, usdt
	Fentry       error // fentry, fexit (BPF trampolines)
	HardwarePerf error // hardware:* (a PMU with hardware counters)
	Ringbuf      error // BPF_MAP_TYPE_RINGBUF, for printf and other events
}

// ProbeFeatures probes the kernel once per process, with real attempts
// (a program load, a perf_event_open, a look at the perf PMUs), and returns
// the cached result.
var ProbeFeatures = sync.OnceValue(func() *Features {
	return &Features{
		Kprobes:      probeKprobes(),
		Uprobes:      probeUprobes(),
		Fentry:       probeFentry(),
		HardwarePerf: probeHardwarePerf(),
		Ringbuf:      probeRingbuf(),
	}
})

// notSupported builds a feature error wrapping ebpf.ErrNotSupported.
func notSupported(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ebpf.ErrNotSupported)
}

// probeKprobes looks for the kprobe perf PMU (kernels since 4.17) or the
// tracefs kprobe_events file (older kernels), which exist only when the
// kernel has kprobe events.
func probeKprobes() error {
	if hasPMU("kprobe") {
		return nil
	}
	if fs, err := OpenTracefs(false, nil); err == nil && fs.HasKprobeEvents() {
		return nil
	}
	switch {
	case kernelConfig("CONFIG_KPROBES") == "n":
		return notSupported("CONFIG_KPROBES is off")
	case kernelConfig("CONFIG_KPROBE_EVENTS") == "n":
		return notSupported("CONFIG_KPROBE_EVENTS is off")
	}
	return notSupported("no kprobe PMU and no tracefs kprobe_events")
}

// probeUprobes is probeKprobes for uprobes.
func probeUprobes() error {
	if hasPMU("uprobe") {
		return nil
	}
	if fs, err := OpenTracefs(false, nil); err == nil && fileExists(filepath.Join(fs.Dir, "uprobe_events")) {
		return nil
	}
	if kernelConfig("CONFIG_UPROBE_EVENTS") == "n" {
		return notSupported("CONFIG_UPROBE_EVENTS is off")
	}
	return notSupported("no uprobe PMU and no tracefs uprobe_events")
}

// probeFentry loads a minimal fentry program (cilium/ebpf's probe).
func probeFentry() error {
	err := features.HaveProgramType(ebpf.Tracing)
	if err == nil {
		return nil
	}
	if errors.Is(err, ebpf.ErrNotSupported) {
		return fmt.Errorf("BPF trampolines are unavailable: %w", err)
	}
	return notSupported("fentry programs fail to load: %v", err)
}

// probeHardwarePerf opens (and closes) a disabled CPU-cycles counter for
// this process.
func probeHardwarePerf() error {
	attr := &unix.PerfEventAttr{
		Type:   unix.PERF_TYPE_HARDWARE,
		Config: unix.PERF_COUNT_HW_CPU_CYCLES,
		Bits:   unix.PerfBitDisabled,
	}
	attr.Size = uint32(unsafe.Sizeof(*attr))
	fd, err := unix.PerfEventOpen(attr, 0, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return notSupported("perf_event_open of a CPU-cycles counter: %v", err)
	}
	unix.Close(fd)
	return nil
}

func probeRingbuf() error {
	if err := features.HaveMapType(ebpf.RingBuf); err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) {
			return err
		}
		return notSupported("ring buffer maps: %v", err)
	}
	return nil
}

// hasPMU reports whether the perf PMU name is registered.
func hasPMU(name string) bool {
	return fileExists(filepath.Join("/sys/bus/event_source/devices", name, "type"))
}

// kernelConfig returns an option's value in the running kernel's build
// configuration ("y", "m", a string, or "n" for "is not set"), or "" when the
// configuration is not available or does not mention it.
func kernelConfig(option string) string {
	return readKernelConfig()[option]
}

var readKernelConfig = sync.OnceValue(func() map[string]string {
	var uts unix.Utsname
	release := ""
	if unix.Uname(&uts) == nil {
		release = unix.ByteSliceToString(uts.Release[:])
	}
	for _, path := range []string{"/proc/config.gz", "/boot/config-" + release} {
		if cfg, err := parseKernelConfigFile(path); err == nil {
			return cfg
		}
	}
	return nil
})

func parseKernelConfigFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = gz
	}
	return parseKernelConfig(r)
}

// parseKernelConfig reads a kernel .config: "CONFIG_X=y" lines and
// "# CONFIG_X is not set" comments (recorded as "n").
func parseKernelConfig(r io.Reader) (map[string]string, error) {
	cfg := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "# "); ok {
			if name, ok = strings.CutSuffix(name, " is not set"); ok {
				cfg[name] = "n"
			}
			continue
		}
		if name, value, ok := strings.Cut(line, "="); ok {
			cfg[name] = strings.Trim(value, `"`)
		}
	}
	return cfg, sc.Err()
}
