package codegen

import (
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// This file compiles args.NAME (or args->NAME) in uprobe probes: a
// parameter of the probed function, named and typed by the binary's DWARF
// debug information (UserInfo.FuncParams). At the function's entry the
// x86-64 System V calling convention has the first six integer and
// pointer parameters in rdi, rsi, rdx, rcx, r8 and r9, the registers argN
// reads; floating-point parameters travel in SSE registers and take none
// of them. A parameter is read as a tracepoint field is, from a field
// record whose offset is its register's in struct pt_regs and whose size
// is the parameter's, so that narrower integers are the register's low
// bytes, extended as their type says.

// uprobeParams is what a uprobe program knows of its function's
// parameters: read once per program, and each error reported once per
// expression.
type uprobeParams struct {
	params   []FuncParam
	err      string // why the parameters cannot be read
	reported map[*ast.Field]bool
}

// uprobeArgField returns the field record of args.NAME in a uprobe
// program, or nil after reporting why the parameter cannot be read.
func (g *gen) uprobeArgField(fe *ast.Field) *TracepointField {
	up := g.uprobeParams()
	if up.reported[fe] {
		return nil
	}
	f, msg := up.field(fe.Name, g.plan.attach)
	if f == nil {
		up.reported[fe] = true
		g.fail(fe, "%s", msg)
	}
	return f
}

// uprobeParams loads the parameters of the program's function.
func (g *gen) uprobeParams() *uprobeParams {
	pl := g.plan
	if pl.uprobe != nil {
		return pl.uprobe
	}
	up := &uprobeParams{reported: map[*ast.Field]bool{}}
	pl.uprobe = up
	a := pl.attach
	switch {
	case a.Offset != 0:
		up.err = "args is not available in a uprobe at an offset into " + a.Target +
			": the parameters are only known to be in their registers at the function's entry"
	case g.c.opts.User == nil:
		up.err = "args in uprobe probes needs the debug information of " + a.Binary + ", which is not available here"
	default:
		params, err := g.c.opts.User.FuncParams(a.Binary, a.Target)
		if err != nil {
			up.err = "cannot read args of " + a.Target + ": " + err.Error()
		}
		up.params = params
	}
	return up
}

// field places parameter name: the register it is in at the entry of
// a's function, or why it cannot be read.
func (up *uprobeParams) field(name string, a Attach) (*TracepointField, string) {
	if up.err != "" {
		return nil, up.err
	}
	reg := 0
	for _, p := range up.params {
		if p.Name == name {
			return paramField(p, reg)
		}
		switch {
		case p.Kind == ParamFloat:
			// In an SSE register or on the stack: no integer register.
		case (p.Kind == ParamInt || p.Kind == ParamPointer) && p.Size <= 8:
			reg++
		default:
			return nil, "the register of args." + name + " is not known: " + describeParam(p) +
				" comes before it, and gbt does not place parameters of that type"
		}
	}
	names := make([]string, len(up.params))
	for i, p := range up.params {
		names[i] = p.Name
	}
	list := "it has no parameters"
	if len(names) > 0 {
		list = "its parameters are " + strings.Join(names, ", ")
	}
	return nil, "function " + a.Target + " of " + a.Binary + " has no parameter " + name + " (" + list + ")"
}

// paramField is the field record of parameter p, passed in the integer
// register of index reg.
func paramField(p FuncParam, reg int) (*TracepointField, string) {
	switch {
	case p.Kind == ParamFloat:
		return nil, "args." + p.Name + " is " + describeParam(p) + ", passed in an SSE register, which uprobes cannot read"
	case p.Kind == ParamRecord:
		return nil, "args." + p.Name + " is " + describeParam(p) + " passed by value, which gbt cannot read yet; probe a function that takes a pointer to it"
	case p.Kind != ParamInt && p.Kind != ParamPointer || p.Size > 8 ||
		p.Kind == ParamInt && p.Size != 1 && p.Size != 2 && p.Size != 4 && p.Size != 8:
		return nil, "args." + p.Name + " is " + describeParam(p) + ", which gbt cannot read"
	case reg >= len(ptRegsArgs):
		return nil, "args." + p.Name + " is passed on the stack (only the first 6 integer and pointer parameters are in registers), which gbt does not read"
	}
	return &TracepointField{Name: p.Name, CType: p.CType, Offset: int(ptRegsArgs[reg]), Size: p.Size, Signed: p.Signed}, ""
}

// describeParam names a parameter and its type: "parameter s (struct pair)".
func describeParam(p FuncParam) string {
	return "parameter " + p.Name + " (" + p.CType + ")"
}
