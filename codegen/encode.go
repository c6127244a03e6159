package codegen

import (
	"encoding/json"
	"fmt"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// An Object is plain data, so that it can be saved (`gbt build` writes it
// as JSON, `gbt run x.gbto` reads it) and run on another host by the
// runtime alone. encoding/json handles every type of it but the
// instructions, whose symbolic labels, map references, source comments and
// BTF function information live in asm.Metadata: a Program writes them as
// insnJSON.

// insnJSON is one instruction in ObjectFormat.
type insnJSON struct {
	Op     asm.OpCode   `json:"op"`
	Dst    asm.Register `json:"dst,omitempty"`
	Src    asm.Register `json:"src,omitempty"`
	Off    int16        `json:"off,omitempty"`
	Imm    int64        `json:"imm,omitempty"`
	Ref    string       `json:"ref,omitempty"`
	Sym    string       `json:"sym,omitempty"`
	Source string       `json:"source,omitempty"`
	// Func is the BTF function the instruction starts: "main" or
	// "callback" (mainFunc, callbackFunc).
	Func string `json:"func,omitempty"`
}

// MarshalJSON writes p with its instructions as insnJSON.
func (p *Program) MarshalJSON() ([]byte, error) {
	type plain Program
	insns := make([]insnJSON, len(p.Insns))
	for i, ins := range p.Insns {
		j := insnJSON{Op: ins.OpCode, Dst: ins.Dst, Src: ins.Src, Off: ins.Offset, Imm: ins.Constant,
			Ref: ins.Reference(), Sym: ins.Symbol()}
		if src := ins.Source(); src != nil {
			j.Source = src.String()
		}
		if fn := btf.FuncMetadata(&ins); fn != nil {
			if fn.Linkage == btf.GlobalFunc {
				j.Func = "main"
			} else {
				j.Func = "callback"
			}
		}
		insns[i] = j
	}
	return json.Marshal(struct {
		*plain
		Insns []insnJSON
	}{(*plain)(p), insns})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *Program) UnmarshalJSON(data []byte) error {
	type plain Program
	v := struct {
		*plain
		Insns []insnJSON
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	p.Insns = make(asm.Instructions, len(v.Insns))
	for i, j := range v.Insns {
		ins := asm.Instruction{OpCode: j.Op, Dst: j.Dst, Src: j.Src, Offset: j.Off, Constant: j.Imm}
		if j.Ref != "" {
			ins = ins.WithReference(j.Ref)
		}
		if j.Sym != "" {
			ins = ins.WithSymbol(j.Sym)
		}
		if j.Source != "" {
			ins = ins.WithSource(asm.Comment(j.Source))
		}
		switch j.Func {
		case "":
		case "main":
			ins = btf.WithFuncMetadata(ins, mainFunc(p.Name))
		case "callback":
			ins = btf.WithFuncMetadata(ins, callbackFunc(j.Sym))
		default:
			return fmt.Errorf("program %s: instruction %d starts an unknown kind of function %q", p.Name, i, j.Func)
		}
		p.Insns[i] = ins
	}
	return nil
}
