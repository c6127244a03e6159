package runtime

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"

	"github.com/gbt-project/gbt/lang/ast"
)

// badProgram dereferences a scalar at instruction 4 (raw slot 5: the
// 64-bit load before it takes two slots), in a statement at 2:3-11.
func badProgram() asm.Instructions {
	return asm.Instructions{
		asm.Mov.Imm(asm.R0, 0).WithSource(asm.Comment("1:1 BEGIN")),
		asm.LoadImm(asm.R2, 1<<40, asm.DWord),
		asm.Mov.Imm(asm.R1, 0).WithSource(asm.Comment("2:3-11 @x = *$p")),
		asm.Add.Imm(asm.R1, 8),
		asm.LoadMem(asm.R0, asm.R1, 0, asm.DWord),
		asm.Return(),
	}
}

func TestExplainVerifierErrorKernel(t *testing.T) {
	requireKernel(t)
	insns := badProgram()
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.RawTracepoint, Instructions: insns, License: "GPL"})
	if err == nil {
		prog.Close()
		t.Fatal("the verifier accepted a bad program")
	}
	r, ok := ExplainVerifierError(fmt.Errorf("loading: %w", err), insns)
	if !ok {
		t.Fatalf("not a verifier error: %v", err)
	}
	want := &VerifierReport{
		Insn: 4, RawInsn: 5,
		Pos: ast.Pos{Line: 2, Col: 3}, End: ast.Pos{Line: 2, Col: 11},
		Source: "@x = *$p",
		Msg:    "R1 invalid mem access 'scalar'",
	}
	if diff := cmp.Diff(want, r, cmpopts.IgnoreFields(VerifierReport{}, "Log")); diff != "" {
		t.Errorf("report (-want +got):\n%s\nlog:\n%s", diff, strings.Join(r.Log, "\n"))
	}
	if len(r.Log) < 3 {
		t.Errorf("full log not kept: %q", r.Log)
	}
	wantErr := "2:3: the BPF verifier rejected the program: R1 invalid mem access 'scalar' (@x = *$p)"
	if got := r.Error(); got != wantErr {
		t.Errorf("Error() = %q, want %q", got, wantErr)
	}
	d := r.Diagnostic("x.bt")
	wantRender := "x.bt:2:3-11: ERROR: the BPF verifier rejected the program: R1 invalid mem access 'scalar'\n" +
		"  @x = *$p;\n" +
		"  ~~~~~~~~\n" +
		"HINT: run with -v to see the verifier's log\n"
	if got := d.Render([]byte("BEGIN {\n  @x = *$p;\n}\n")); got != wantRender {
		t.Errorf("rendered:\n%s\nwant:\n%s", got, wantRender)
	}
}

func TestExplainVerifierErrorLogs(t *testing.T) {
	insns := badProgram()
	tests := []struct {
		name    string
		log     []string
		insn    int
		raw     int
		line    int
		msg     string
		comment string
	}{
		{
			name: "dump then message",
			log: []string{
				"0: R1=ctx() R10=fp0", "0: (b7) r0 = 0 ; R0_w=0",
				"1: (18) r2 = 0x10000000000", "3: (b7) r1 = 0",
				"4: (07) r1 += 8", "5: (79) r0 = *(u64 *)(r1 +0)",
				"R1 invalid mem access 'scalar'",
				"processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
			},
			insn: 4, raw: 5, line: 2, msg: "R1 invalid mem access 'scalar'", comment: "@x = *$p",
		},
		{
			name: "message names the instruction",
			log:  []string{"unreachable insn 1", "verification time 5 usec", ""},
			insn: 1, raw: 1, line: 1, msg: "unreachable insn 1", comment: "BEGIN",
		},
		{
			name: "infinite loop, then the states compared",
			log: []string{
				"4: (07) r1 += 8", "6: (05) goto pc-5",
				"infinite loop detected at insn 3",
				"cur state: R1=ctx() R6=1 R10=fp0 fp-16=0 fp-24=1",
				"old state: R1=ctx() R6=1 R10=fp0 fp-16=P0 fp-24=1",
				"processed 13 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0",
			},
			insn: 2, raw: 3, line: 2, msg: "infinite loop detected at insn 3", comment: "@x = *$p",
		},
		{
			name: "past the last instruction",
			log:  []string{"9: (95) exit", "invalid func unknown#1"},
			insn: -1, raw: 9, line: 0, msg: "invalid func unknown#1",
		},
		{
			name: "no instruction",
			log:  []string{"BPF program is too large. Processed 1000001 insn"},
			insn: -1, raw: -1, line: 0, msg: "BPF program is too large. Processed 1000001 insn",
		},
		{
			name: "empty log",
			log:  nil,
			insn: -1, raw: -1, line: 0, msg: "permission denied",
		},
	}
	for _, tt := range tests {
		err := &ebpf.VerifierError{Cause: errors.New("permission denied"), Log: tt.log}
		r, ok := ExplainVerifierError(err, insns)
		if !ok {
			t.Fatalf("%s: not recognised", tt.name)
		}
		if r.Insn != tt.insn || r.RawInsn != tt.raw || r.Pos.Line != tt.line || r.Msg != tt.msg || r.Source != tt.comment {
			t.Errorf("%s: got insn %d raw %d line %d msg %q source %q; want %d %d %d %q %q",
				tt.name, r.Insn, r.RawInsn, r.Pos.Line, r.Msg, r.Source, tt.insn, tt.raw, tt.line, tt.msg, tt.comment)
		}
		if tt.line == 0 && r.Diagnostic("x.bt") != nil {
			t.Errorf("%s: a diagnostic without a position", tt.name)
		}
	}
	if _, ok := ExplainVerifierError(errors.New("other"), insns); ok {
		t.Error("a plain error was taken for a verifier error")
	}
}

// Loops the verifier finds endless are reported at the loop's body with
// the verifier's own reason, not the register states it compared.
func TestLoadEndlessLoops(t *testing.T) {
	requireKernel(t)
	tests := []struct {
		src string
		pos ast.Pos
	}{
		{`BEGIN { while (1) { $x = 1; } }`, ast.Pos{Line: 1, Col: 21}},
		{`BEGIN { $i = 0; while ($i < 10) { $j = 1; } }`, ast.Pos{Line: 1, Col: 17}},
	}
	for _, tt := range tests {
		_, err := Load(compileLive(t, tt.src))
		var le *LoadError
		if !errors.As(err, &le) || le.Report == nil {
			t.Errorf("%s: got %v, want a verifier LoadError", tt.src, err)
			continue
		}
		if !strings.HasPrefix(le.Report.Msg, "infinite loop detected at insn ") || le.Report.Pos.Line != tt.pos.Line || le.Report.Pos.Col != tt.pos.Col {
			t.Errorf("%s: got %q at %v, want infinite loop detected at %v", tt.src, le.Report.Msg, le.Report.Pos, tt.pos)
		}
	}
}

// A loop whose every pass the verifier must walk again (a map update in
// while (1)) ends in EFAULT, which cilium/ebpf reports without the log:
// the report still gives the verifier's reason at the loop's body.
func TestLoadEndlessLoopEFAULT(t *testing.T) {
	requireKernel(t)
	_, err := Load(compileLive(t, `BEGIN { while (1) { @x++; } }`))
	var le *LoadError
	if !errors.As(err, &le) || le.Report == nil {
		t.Fatalf("got %v, want a verifier LoadError with a report", err)
	}
	if !errors.Is(err, unix.EFAULT) {
		t.Skipf("the kernel refused the loop with %v, not EFAULT: nothing left to test", err)
	}
	if !strings.Contains(le.Report.Msg, "jumps is too complex") || le.Report.Pos != (ast.Pos{Line: 1, Col: 21}) {
		t.Errorf("got %q at %v, want the verifier's message at 1:21", le.Report.Msg, le.Report.Pos)
	}
	if !strings.Contains(le.Log(), "jumps is too complex") {
		t.Errorf("the log for -v lacks the verifier's message:\n%s", le.Log())
	}
}
