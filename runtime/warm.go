package runtime

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/codegen"
)

// Warm starts, in the background, the kernel work that every run repeats
// whatever its script: cilium/ebpf probes the kernel's features once per
// process (object names, BTF, program BTF, BPF_PROG_RUN), and otherwise
// the first Load and the first RunOnce (often END's, after the probes are
// detached) pay for those probes. gbt calls Warm before it parses the
// script, so that the probes run on another CPU while the parser is built
// and the script compiled. It loads and runs a two-instruction program
// with a one-entry map, then unloads them; errors are left to the real
// Load to report.
func Warm() { go warm() }

func warm() error {
	l, err := Load(warmObject)
	if err != nil {
		return err
	}
	defer l.Close()
	_, err = RunOnce(l.Programs[warmObject.Programs[0].Name])
	return err
}

// warmObject uses what compiled scripts use: a map reference, a source
// comment, which becomes BTF line information, and bpf_probe_read_kernel,
// whose first use makes cilium/ebpf probe for it (a program load of its
// own).
var warmObject = &codegen.Object{
	Maps: []*codegen.Map{{Name: "warm", Kind: codegen.MapScratch, Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}},
	Programs: []*codegen.Program{{
		Name: "warm", Probe: "BEGIN", Type: ebpf.RawTracepoint, License: codegen.License,
		Insns: asm.Instructions{
			asm.LoadMapPtr(asm.R1, 0).WithReference("warm").WithSymbol("warm").WithSource(asm.Comment("warm")),
			asm.Mov.Reg(asm.R1, asm.RFP),
			asm.Add.Imm(asm.R1, -8),
			asm.Mov.Imm(asm.R2, 8),
			asm.Mov.Imm(asm.R3, 0),
			asm.FnProbeReadKernel.Call(),
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
	}},
}
