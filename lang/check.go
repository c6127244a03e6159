package lang

import (
	"strconv"
	"strings"

	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/stdlib"
)

// CheckOptions configures Check.
type CheckOptions struct {
	MaxStrLen int      // maximum string length including the NUL; 0 means the config block's max_strlen, else 64
	Params    []string // positional parameters $1..$N
	// Unsafe allows the builtins that change the system (system, signal,
	// override: stdlib.Entry.Unsafe), as bpftrace's --unsafe does;
	// without it their calls are errors.
	Unsafe bool
}

// maxPasses bounds the passes Check makes until every map's type is known.
const maxPasses = 5

// Check resolves names and types in prog, validates its probe specs, and
// annotates it in place: every expression gets its type and prog.Maps the
// key and value types of every map. The error is a sorted ast.ErrorList.
//
// A map may be read before the statement that gives it a type (in an
// earlier probe, or higher up in the same one), so Check walks the whole
// program repeatedly: each pass sees the map types the previous pass
// learned, and the walk stops when a pass learns nothing new. Only the last
// pass's diagnostics are reported.
func Check(prog *ast.Program, opts CheckOptions) error {
	if opts.MaxStrLen <= 0 {
		opts.MaxStrLen = configMaxStrLen(prog)
	}
	var prev map[string]*ast.MapInfo
	var c *checker
	for pass := 0; pass < maxPasses; pass++ {
		c = newChecker(prog, opts, prev)
		c.program()
		if sameMaps(prev, c.maps) {
			break
		}
		prev = c.maps
	}
	prog.Maps = c.sortedMaps()
	c.errs.Sort()
	return c.errs.Err()
}

// checker holds the state of one pass.
type checker struct {
	prog *ast.Program
	opts CheckOptions
	errs ast.ErrorList

	maps map[string]*ast.MapInfo // learned in this pass
	prev map[string]*ast.MapInfo // learned in the previous pass

	macros  map[string]*ast.Macro
	defines map[string]*ast.Type // #define and enum names usable as identifiers

	probe      *ast.Probe
	kinds      []string // canonical kinds of the current probe's valid specs
	scopes     []map[string]*variable
	loops      int               // enclosing while/for loops
	mapAlias   map[string]string // macro map parameters bound to the caller's maps
	macroDepth int
}

// variable is one scratch variable in scope.
type variable struct {
	typ *ast.Type // nil when declared with `let $x;` and not yet assigned
}

func newChecker(prog *ast.Program, opts CheckOptions, prev map[string]*ast.MapInfo) *checker {
	c := &checker{
		prog:    prog,
		opts:    opts,
		maps:    map[string]*ast.MapInfo{},
		prev:    prev,
		macros:  map[string]*ast.Macro{},
		defines: map[string]*ast.Type{},
	}
	return c
}

// invalid is the type of an expression that already has an error: it is
// compatible with everything, so one mistake gives one diagnostic.
var invalid = &ast.Type{Kind: ast.KKernel, Name: "invalid"}

func (c *checker) errorf(n ast.Node, format string, args ...any) *ast.Diagnostic {
	return c.errs.Add(c.prog.File, n, format, args...)
}

// program is the pass list of one walk, top to bottom.
func (c *checker) program() {
	c.preamble()
	c.config()
	for _, m := range c.prog.Macros {
		if c.macros[m.Name] != nil {
			c.errorf(m, "macro '%s' is defined twice", m.Name)
		}
		c.macros[m.Name] = m
	}
	for _, p := range c.prog.Probes {
		c.probeDecl(p)
	}
}

// preamble makes #define names and enum values usable as identifiers.
func (c *checker) preamble() {
	for _, p := range c.prog.Preamble {
		switch p.Kind {
		case ast.PreInclude:
			for name := range stdlib.Constants {
				if _, ok := c.defines[name]; !ok {
					c.defines[name] = ast.Int(8, true)
				}
			}
		case ast.PreDefine:
			c.defines[p.Name] = defineType(p.Text, p.Name)
		case ast.PreCDef:
			for _, name := range enumerators(p.Text) {
				c.defines[name] = ast.Int(8, true)
			}
		}
	}
}

// defineType types a `#define NAME value` by its value: an integer or a
// string.
func defineType(text, name string) *ast.Type {
	val := strings.TrimSpace(text)
	if i := strings.Index(val, name); i >= 0 {
		val = strings.TrimSpace(val[i+len(name):])
	}
	if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
		return ast.String(len(val) - 1)
	}
	return ast.Int(8, true)
}

// enumerators returns the names declared by `enum e { A, B = 2, ... };`.
func enumerators(text string) []string {
	if !strings.HasPrefix(strings.TrimSpace(text), "enum") {
		return nil
	}
	open, end := strings.IndexByte(text, '{'), strings.LastIndexByte(text, '}')
	if open < 0 || end < open {
		return nil
	}
	var names []string
	for _, item := range strings.Split(text[open+1:end], ",") {
		name, _, _ := strings.Cut(item, "=")
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// configKeys are the keys a config block may set.
var configKeys = map[string]bool{
	"max_strlen": true, "max_map_keys": true, "max_probes": true, "max_bpf_progs": true,
	"perf_rb_pages": true, "stack_mode": true, "print_maps_on_exit": true, "missing_probes": true,
	"log_size": true, "lazy_symbolication": true, "max_cat_bytes": true, "cpp_demangle": true,
	"on_stack_limit": true, "max_type_res_iterations": true, "license": true, "str_trunc_trailer": true,
	"show_debug_info": true, "use_blazesym": true, "symbol_source": true, "unstable_macro": true,
	"unstable_map_decl": true, "max_ast_nodes": true, "cache_user_symbols": true, "demangle_cpp_symbols": true,
}

func (c *checker) config() {
	if c.prog.Config == nil {
		return
	}
	for _, item := range c.prog.Config.Items {
		key := configKey(item.Key)
		if !configKeys[key] {
			d := c.errorf(item, "unrecognized config variable: %s", item.Key)
			if s := stdlib.Closest(key, sortedKeys(configKeys)); s != "" {
				d.Hint = "did you mean '" + s + "'?"
			}
		}
		if item.Value != nil {
			item.Value.SetType(c.literalType(item.Value))
		}
	}
}

// configMaxStrLen is the config block's max_strlen, or 64.
func configMaxStrLen(prog *ast.Program) int {
	s, _ := ResolveSettings(prog, nil)
	return s.MaxStrLen
}

func (c *checker) probeDecl(p *ast.Probe) {
	c.probe = p
	c.kinds = c.kinds[:0]
	for _, s := range p.Specs {
		if kind := c.probeSpec(s); kind != "" {
			c.kinds = append(c.kinds, kind)
		}
	}
	c.scopes = []map[string]*variable{{}}
	c.loops = 0
	if p.Pred != nil {
		if t := c.expr(p.Pred); !truthy(t) {
			c.errorf(p.Pred, "Invalid type for predicate: %s", t)
		}
	}
	if p.Body != nil {
		c.stmts(p.Body.Stmts)
	}
	c.probe = nil
}

// probeKind is the kind that decides how builtins behave in the current
// probe ("func" is a user symbol in uprobes).
func (c *checker) probeKind() string {
	if len(c.kinds) == 0 {
		return ""
	}
	return c.kinds[0]
}

// positionalType types $N: an integer when the parameter is one (or is
// missing, when it reads as 0), otherwise a string.
func (c *checker) positionalType(p *ast.Positional) *ast.Type {
	if p.Count || p.N < 1 || p.N > len(c.opts.Params) {
		return ast.Int(8, true)
	}
	v := c.opts.Params[p.N-1]
	if _, err := strconv.ParseInt(v, 0, 64); err == nil {
		return ast.Int(8, true)
	}
	return ast.String(len(v) + 1)
}

// literalType types a literal config value.
func (c *checker) literalType(e ast.Expr) *ast.Type {
	switch e.(type) {
	case *ast.IntLit, *ast.StrLit, *ast.BoolLit:
		return c.exprType(e)
	}
	return ast.None()
}
