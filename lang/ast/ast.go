// Package ast defines the abstract syntax tree of gbt's language, which is
// bpftrace's language.
//
// The parser in package lang builds these nodes from its own (unexported)
// concrete syntax; every node knows where it starts and ends in the source,
// so that the checker, the code generator and the runtime can all report
// problems against the script's text. The checker fills in the Type of every
// expression and the program's map table; the nodes are otherwise plain data.
package ast

import "fmt"

// Pos is a position in a source file. Line and Col count from 1; Col counts
// bytes. Offset is the byte offset from the start of the file.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// IsValid reports whether p is a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Span is the source range [Start, End) of a node. It is embedded in every
// node and gives the node its Pos and End methods.
type Span struct {
	Start Pos
	Stop  Pos
}

func (s Span) Pos() Pos { return s.Start }
func (s Span) End() Pos { return s.Stop }

// Node is implemented by every node of the tree.
type Node interface {
	Pos() Pos
	End() Pos
}

// Program is one parsed script.
type Program struct {
	Span
	File    string // file name used in diagnostics ("stdin", "-e" for one-liners)
	Src     []byte // the source text, for diagnostics
	Shebang string // the "#!" first line, without its newline; "" if none

	Preamble []*Preamble // #include / #define lines and C struct / enum / typedef definitions, in order
	Config   *Config     // the config = { ... } block, or nil
	Macros   []*Macro
	Probes   []*Probe

	// Filled in by the checker.
	Maps []*MapInfo // every map the program uses, sorted by name
}

// PreambleKind says what a Preamble item is.
type PreambleKind int

const (
	PreInclude PreambleKind = iota // #include <linux/sched.h>
	PreDefine                      // #define NAME value
	PreCDef                        // struct foo { ... }; enum e { ... }; typedef ...;
)

// Preamble is a C preprocessor line or a C definition kept verbatim. Using
// them (struct layouts, enum values) is the job of later stages.
type Preamble struct {
	Span
	Kind PreambleKind
	Text string // the source text, verbatim (for PreCDef including the trailing ';')
	Name string // the included path, the defined name, or the struct/enum name
}

// Config is `config = { key = value; ... }`.
type Config struct {
	Span
	Items []*ConfigItem
}

// ConfigItem is one `key = value` of a config block.
type ConfigItem struct {
	Span
	Key   string
	Value Expr // *IntLit, *StrLit, *BoolLit or *Ident
}

// Macro is `macro name(params) { body }`.
type Macro struct {
	Span
	Name   string
	Params []string // "$x", "@m" or a bare identifier
	Body   *Block
}

// Probe is one action block: a list of attach points, an optional
// predicate and a body.
type Probe struct {
	Span
	Specs []*ProbeSpec
	Pred  Expr // nil when there is no /predicate/
	Body  *Block

	Index int // position among the program's probes, from 0
}

// ProbeSpec is one attach point such as `tracepoint:syscalls:sys_enter_*`.
type ProbeSpec struct {
	Span
	Raw      string   // the text as written
	Kind     string   // canonical lower-case kind: "begin", "end", "tracepoint", "kprobe", ...; the alias and the legacy spelling are resolved
	Provider string   // the kind as written ("t", "BEGIN", "kfunc", ...)
	Parts    []string // the colon-separated parts after the kind; quotes removed
	Wildcard bool     // some part contains * or ?
}

// Target is the spec without its kind: the parts joined with ':'.
func (s *ProbeSpec) Target() string {
	out := ""
	for i, p := range s.Parts {
		if i > 0 {
			out += ":"
		}
		out += p
	}
	return out
}
