package runtime

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-project/gbt/lang/ast"
)

// VerifierReport is a short account of a program the kernel's verifier
// rejected: which instruction it stopped at, the script position that
// instruction came from, and the verifier's last message. Log keeps the
// whole verifier log for -v.
type VerifierReport struct {
	Insn    int     // index into the program's asm.Instructions; -1 if unknown
	RawInsn int     // the verifier's instruction number (8-byte slots); -1 if unknown
	Pos     ast.Pos // script position (Line, Col; Offset unknown); zero if unknown
	End     ast.Pos // end of the span when the source comment gives one, else Pos
	Source  string  // the source comment's text after the position: "@x = *$p"
	Msg     string  // "R1 invalid mem access 'scalar'"
	Log     []string
}

// ExplainVerifierError turns err, when it is (or wraps) an
// *ebpf.VerifierError, into a VerifierReport for insns, the instructions of
// the program that failed to load. Codegen marks the first instruction of
// each statement with WithSource(asm.Comment("line:col text")) or
// "line:col-endcol text"; the report takes the position of the nearest such
// comment at or before the failing instruction. The second result is false
// when err is not a verifier error.
func ExplainVerifierError(err error, insns asm.Instructions) (*VerifierReport, bool) {
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		return nil, false
	}
	return explainLog(ve.Log, ve.Cause, insns), true
}

// explainLog builds the report of a verifier log, cause being the load's
// error for when the log has no message.
func explainLog(log []string, cause error, insns asm.Instructions) *VerifierReport {
	r := &VerifierReport{Insn: -1, RawInsn: -1, Log: log}
	msgLine := lastMessage(log)
	if msgLine >= 0 {
		r.Msg = strings.TrimSpace(log[msgLine])
	} else {
		r.Msg = cause.Error()
	}
	r.RawInsn = failingInsn(log, msgLine)
	if r.RawInsn >= 0 {
		r.Insn = instructionAt(insns, r.RawInsn)
	}
	if r.Insn >= 0 {
		r.Pos, r.End, r.Source = sourceOf(insns, r.Insn)
	}
	return r
}

// Error is the one-line summary: "3:5: the BPF verifier rejected the
// program: R1 invalid mem access 'scalar' (@x = *$p)".
func (r *VerifierReport) Error() string {
	var b strings.Builder
	if r.Pos.IsValid() {
		fmt.Fprintf(&b, "%d:%d: ", r.Pos.Line, r.Pos.Col)
	}
	b.WriteString("the BPF verifier rejected the program: ")
	b.WriteString(r.Msg)
	if r.Source != "" {
		fmt.Fprintf(&b, " (%s)", r.Source)
	}
	return b.String()
}

// Diagnostic positions the report in the script file, for the shared
// diagnostic renderer; it returns nil when the position is unknown.
func (r *VerifierReport) Diagnostic(file string) *ast.Diagnostic {
	if !r.Pos.IsValid() {
		return nil
	}
	return &ast.Diagnostic{
		File: file, Pos: r.Pos, End: r.End,
		Msg:  "the BPF verifier rejected the program: " + r.Msg,
		Hint: "run with -v to see the verifier's log",
	}
}

// lastMessage finds the verifier's final message: the last line that is not
// a statistics line and not an instruction or register-state dump (the
// "cur state:" and "old state:" lines that follow "infinite loop detected"
// included). It returns -1 when there is none.
func lastMessage(log []string) int {
	for i := len(log) - 1; i >= 0; i-- {
		line := strings.TrimSpace(log[i])
		switch {
		case line == "",
			strings.HasPrefix(line, "processed "),
			strings.HasPrefix(line, "verification time"),
			strings.HasPrefix(line, "stack depth"),
			strings.HasPrefix(line, "cur state:"),
			strings.HasPrefix(line, "old state:"),
			insnLine.MatchString(line):
			continue
		}
		return i
	}
	return -1
}

var (
	// insnLine is an instruction dump ("12: (85) call ...") or a register
	// state line ("12: R1=ctx() ...").
	insnLine = regexp.MustCompile(`^(\d+): `)
	// insnInMsg is an instruction named by a message such as
	// "unreachable insn 7" or "back-edge from insn 5 to 3".
	insnInMsg = regexp.MustCompile(`\binsn (\d+)\b`)
	// sourcePos is the position at the start of a source comment.
	sourcePos = regexp.MustCompile(`^(\d+):(\d+)(?:-(\d+))?\s*`)
)

// failingInsn returns the verifier's number of the instruction it failed
// at: the one the message names, or else the last one it dumped before the
// message; -1 when the log shows neither.
func failingInsn(log []string, msgLine int) int {
	if msgLine >= 0 {
		if m := insnInMsg.FindStringSubmatch(log[msgLine]); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	} else {
		msgLine = len(log)
	}
	for i := msgLine - 1; i >= 0; i-- {
		if m := insnLine.FindStringSubmatch(log[i]); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return -1
}

// instructionAt maps a raw instruction number (8-byte slots, where a 64-bit
// immediate load takes two) to an index into insns, or -1.
func instructionAt(insns asm.Instructions, raw int) int {
	slot := 0
	for i, ins := range insns {
		next := slot + int(ins.Size()/asm.InstructionSize)
		if raw >= slot && raw < next {
			return i
		}
		slot = next
	}
	return -1
}

// sourceOf finds the source comment at or before insns[i] and splits it
// into position and text.
func sourceOf(insns asm.Instructions, i int) (pos, end ast.Pos, text string) {
	for ; i >= 0; i-- {
		src := insns[i].Source()
		if src == nil {
			continue
		}
		s := src.String()
		m := sourcePos.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		pos = ast.Pos{Line: line, Col: col}
		end = pos
		if m[3] != "" {
			endCol, _ := strconv.Atoi(m[3])
			end = ast.Pos{Line: line, Col: endCol}
		}
		return pos, end, strings.TrimSpace(s[len(m[0]):])
	}
	return ast.Pos{}, ast.Pos{}, ""
}
