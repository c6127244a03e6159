package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/google/go-cmp/cmp"
)

func TestParseKernelConfig(t *testing.T) {
	in := `#
# Automatically generated file; DO NOT EDIT.
CONFIG_UPROBES=y
# CONFIG_KPROBES is not set
CONFIG_DEFAULT_HOSTNAME="(none)"
CONFIG_NR_CPUS=64
# a comment
`
	got, err := parseKernelConfig(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"CONFIG_UPROBES": "y", "CONFIG_KPROBES": "n",
		"CONFIG_DEFAULT_HOSTNAME": "(none)", "CONFIG_NR_CPUS": "64",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestProbeFeatures checks the probes against what the project's kernels
// (DESIGN.md, "the kernel under our feet") are known to have, and that every
// negative answer is an ErrNotSupported with a reason.
func TestProbeFeatures(t *testing.T) {
	requireKernel(t)
	f := ProbeFeatures()
	if f != ProbeFeatures() {
		t.Error("ProbeFeatures is not cached")
	}
	for name, err := range map[string]error{"ringbuf": f.Ringbuf, "uprobes": f.Uprobes} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, err := range map[string]error{"kprobes": f.Kprobes, "fentry": f.Fentry, "hardware": f.HardwarePerf} {
		if err != nil && !errors.Is(err, ebpf.ErrNotSupported) {
			t.Errorf("%s: %v does not wrap ErrNotSupported", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	if kernelConfig("CONFIG_KPROBES") == "n" && f.Kprobes == nil {
		t.Error("kprobes reported present on a kernel built without CONFIG_KPROBES")
	}
}
