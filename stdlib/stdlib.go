// Package stdlib is the catalogue of gbt's builtins: the variables (pid,
// comm, args, arg0..argN, ...), the functions (printf, str, ksym, ...), the
// aggregations (count, hist, ...) and the probe kinds (tracepoint, uprobe,
// interval, ...).
//
// Each builtin is one Entry, one row of a table: its name, its kind, the
// arguments it accepts, a type rule that computes its result type from its
// argument types, the probe kinds that allow it, and one line of docs. The
// checker in package lang drives its name resolution and type checking from
// these rows; the REPL completes names from them and `gbt help` prints them;
// codegen keeps one emitter per Entry.Name and a test asserts that none is
// missing. The package depends on nothing but lang/ast.
//
// The checker does the generic work (argument count, which kinds of
// expression each argument accepts, whether the probe kind allows the
// builtin) from the declarative fields; Result holds only what is particular
// to one builtin. A Result returns an *ArgError to reject one argument.
package stdlib

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
)

// Kind says what sort of builtin an Entry is.
type Kind int

const (
	Variable    Kind = iota // a bare identifier: pid, comm, arg0
	Function                // a call: printf(...), str(...)
	Aggregation             // a call whose value only a map can hold: count(), hist(x)
)

func (k Kind) String() string {
	switch k {
	case Variable:
		return "variable"
	case Function:
		return "function"
	case Aggregation:
		return "aggregation"
	}
	return "?"
}

// Accept is the set of expression forms an argument accepts.
type Accept uint16

const (
	Int      Accept = 1 << iota // integers and booleans
	Str                         // strings
	Ptr                         // pointers
	Buf                         // buffers from buf()
	Stack                       // kstack / ustack values
	Map                         // a whole map, @m, without a key
	MapElem                     // a map element @m[k] (or @m for a keyless map)
	TypeName                    // a type, as in sizeof(struct task_struct)
	Ident                       // a bare identifier, as in offsetof(struct s, field)
	Literal                     // must be a literal (combine with Int or Str)
	Value                       // any value at all (print(x), tuple elements)
	Key                         // a key of the map passed as the previous argument
)

// Describe names the accepted forms for a diagnostic: "integer", "string
// literal", "map", ...
func (a Accept) Describe() string {
	var parts []string
	lit := a&Literal != 0
	add := func(bit Accept, name string) {
		if a&bit != 0 {
			if lit && (bit == Int || bit == Str) {
				name += " literal"
			}
			parts = append(parts, name)
		}
	}
	add(Int, "integer")
	add(Str, "string")
	add(Ptr, "pointer")
	add(Buf, "buffer")
	add(Stack, "stack")
	add(Map, "map")
	add(MapElem, "map element")
	add(TypeName, "type")
	add(Ident, "identifier")
	add(Value, "value")
	add(Key, "map key")
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Param is one declared argument.
type Param struct {
	Name   string
	Accept Accept
}

// Entry is one builtin.
type Entry struct {
	Name    string // stable name: "pid", "printf", "count"; "argN" for the arg0..argN pattern
	Kind    Kind
	Params  []Param // declared arguments, in order
	MinArgs int     // the first MinArgs params are required
	VarArgs Accept  // when non-zero, any number of further arguments of these forms
	Probes  []string
	// Probes lists the canonical probe kinds that allow this builtin; nil
	// means every kind.
	Unsafe    bool     // needs --unsafe (system, signal, override)
	Statement bool     // returns no value; using the result is an error
	Result    TypeRule // the result type; nil for Statement entries
	Signature string   // as shown by `gbt help`: "str(ptr[, len])"
	Doc       string   // one line
}

// Ctx is what a TypeRule sees: the checked arguments and the context.
type Ctx struct {
	Args      []*ast.Type // the argument types, in order
	Exprs     []ast.Expr  // the argument expressions (for literal values)
	MaxStrLen int         // the configured maximum string length
	ProbeKind string      // the canonical kind of the enclosing probe
}

// TypeRule computes a builtin's result type. An error that concerns one
// argument is an *ArgError; any other error concerns the whole call.
type TypeRule func(c *Ctx) (*ast.Type, error)

// ArgError rejects argument Arg (from 0) of a call.
type ArgError struct {
	Arg int
	Msg string
}

func (e *ArgError) Error() string { return e.Msg }

// MaxArgs is the largest number of arguments the entry accepts; -1 when it
// takes any number.
func (e *Entry) MaxArgs() int {
	if e.VarArgs != 0 {
		return -1
	}
	return len(e.Params)
}

// Callable reports whether the entry may be written as a call.
func (e *Entry) Callable() bool { return e.Kind != Variable || len(e.Params) > 0 }

// Allows reports whether the probe kind (canonical name) may use e.
func (e *Entry) Allows(kind string) bool {
	if e.Probes == nil {
		return true
	}
	for _, k := range e.Probes {
		if k == kind {
			return true
		}
	}
	return false
}

// ParamAccept returns what argument i accepts.
func (e *Entry) ParamAccept(i int) Accept {
	if i < len(e.Params) {
		return e.Params[i].Accept
	}
	return e.VarArgs
}

var (
	byName  map[string]*Entry
	entries []*Entry
)

func init() {
	byName = map[string]*Entry{}
	for _, table := range [][]*Entry{variables, functions, aggregations} {
		for _, e := range table {
			if byName[e.Name] != nil {
				panic(fmt.Sprintf("stdlib: %q defined twice", e.Name))
			}
			byName[e.Name] = e
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
}

// Lookup finds a builtin by the name used in a script. "arg3" finds the
// "argN" entry.
func Lookup(name string) *Entry {
	if e := byName[name]; e != nil {
		return e
	}
	if _, ok := ArgIndex(name); ok {
		return byName["argN"]
	}
	return nil
}

// ArgIndex parses "argN" and returns N.
func ArgIndex(name string) (int, bool) {
	if len(name) < 4 || !strings.HasPrefix(name, "arg") {
		return 0, false
	}
	n := 0
	for _, c := range name[3:] {
		if c < '0' || c > '9' || n > 1000 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if len(name) > 4 && name[3] == '0' {
		return 0, false
	}
	return n, true
}

// Builtins returns every entry, sorted by name.
func Builtins() []*Entry { return entries }

// Names returns the names a script can use, sorted, for completion:
// "argN" is listed as "arg0".
func Names() []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.Name
		if name == "argN" {
			name = "arg0"
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
