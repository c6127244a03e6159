package stdlib

import (
	"fmt"

	"github.com/gbt-project/gbt/lang/ast"
)

// IntValue returns the value of an integer literal, seen through unary minus.
func IntValue(e ast.Expr) (int64, bool) {
	switch x := e.(type) {
	case *ast.IntLit:
		return int64(x.Value), true
	case *ast.Unary:
		if x.Op == "-" {
			if v, ok := IntValue(x.X); ok {
				return -v, true
			}
		}
	}
	return 0, false
}

// StrValue returns the value of a string literal.
func StrValue(e ast.Expr) (string, bool) {
	if s, ok := e.(*ast.StrLit); ok {
		return s.Value, true
	}
	return "", false
}

// strRule types str(ptr[, len]): a string of len+1 bytes (the characters
// and their NUL) when len is a literal, capped by the maximum string length.
func strRule(c *Ctx) (*ast.Type, error) {
	size := c.MaxStrLen
	if len(c.Exprs) == 2 {
		if n, ok := IntValue(c.Exprs[1]); ok {
			if n < 0 {
				return nil, &ArgError{1, "str() length must not be negative"}
			}
			if int(n)+1 < size {
				size = int(n) + 1
			}
		}
	}
	return ast.String(size), nil
}

func bufRule(c *Ctx) (*ast.Type, error) {
	size := c.MaxStrLen
	if len(c.Exprs) == 2 {
		n, ok := IntValue(c.Exprs[1])
		if ok && n < 1 {
			return nil, &ArgError{1, "buf() length must be positive"}
		}
		if ok && int(n) < size {
			size = int(n)
		}
	} else if t := c.Args[0]; t.Kind == ast.KString {
		size = t.Size
	}
	return &ast.Type{Kind: ast.KBuffer, Size: size}, nil
}

func symbolRule(user bool) TypeRule {
	return fixed(&ast.Type{Kind: ast.KSymbol, Size: 8, User: user})
}

// sameAsArg returns the type of the first argument (kptr, uptr).
func sameAsArg(c *Ctx) (*ast.Type, error) { return c.Args[0], nil }

// x86-64 pt_regs member names that reg() accepts.
var registers = map[string]bool{
	"r15": true, "r14": true, "r13": true, "r12": true, "bp": true, "bx": true,
	"r11": true, "r10": true, "r9": true, "r8": true, "ax": true, "cx": true,
	"dx": true, "si": true, "di": true, "orig_ax": true, "ip": true, "cs": true,
	"flags": true, "sp": true, "ss": true,
}

func regRule(c *Ctx) (*ast.Type, error) {
	name, _ := StrValue(c.Exprs[0])
	if !registers[name] {
		return nil, &ArgError{0, fmt.Sprintf("'%s' is not a valid register", name)}
	}
	return ast.Int(8, false), nil
}

func signalRule(c *Ctx) (*ast.Type, error) {
	if c.Args[0].Kind != ast.KString {
		if n, ok := IntValue(c.Exprs[0]); ok && (n < 1 || n > 64) {
			return nil, &ArgError{0, fmt.Sprintf("%d is not a valid signal, allowed range: [1,64]", n)}
		}
		return ast.None(), nil
	}
	name, ok := StrValue(c.Exprs[0])
	if !ok {
		return nil, &ArgError{0, "signal() expects an integer or a string literal"}
	}
	if SignalNumber(name) < 1 {
		return nil, &ArgError{0, "invalid signal name: " + name}
	}
	return ast.None(), nil
}

func hasKeyRule(c *Ctx) (*ast.Type, error) { return ast.Bool(), nil }

func lenRule(c *Ctx) (*ast.Type, error) { return ast.Int(8, true), nil }

var fmtParam = Param{"format", Str | Literal}

var functions = []*Entry{
	{Name: "printf", Kind: Function, Params: []Param{fmtParam}, MinArgs: 1, VarArgs: Value, Statement: true,
		Signature: "printf(fmt, args...)", Doc: "print formatted text, as C printf does"},
	{Name: "print", Kind: Function, Params: []Param{{"value", Value | Map}, {"top", Int}, {"div", Int}}, MinArgs: 1, Statement: true,
		Signature: "print(@map[, top[, div]]) | print(value)", Doc: "print a map now, or a value on its own line"},
	{Name: "time", Kind: Function, Params: []Param{fmtParam}, Statement: true,
		Signature: "time([fmt])", Doc: "print the current time with a strftime format (default %H:%M:%S\\n)"},
	{Name: "strftime", Kind: Function, Params: []Param{fmtParam, {"nsecs", Int}}, MinArgs: 2,
		Result:    fixed(&ast.Type{Kind: ast.KTimestamp, Size: 16}),
		Signature: "strftime(fmt, nsecs)", Doc: "a timestamp that prints with the strftime format"},
	{Name: "exit", Kind: Function, Params: []Param{{"code", Int}}, Statement: true,
		Signature: "exit([code])", Doc: "stop tracing, print the maps and exit"},
	{Name: "join", Kind: Function, Params: []Param{{"array", Int | Ptr}, {"sep", Str | Literal}}, MinArgs: 1, Statement: true,
		Signature: "join(char *arr[][, sep])", Doc: "print a NULL-terminated array of strings joined by sep (default \" \")"},
	{Name: "cat", Kind: Function, Params: []Param{{"path", Str | Literal}}, MinArgs: 1, VarArgs: Value, Statement: true,
		Signature: "cat(fmt, args...)", Doc: "print the contents of a file"},
	{Name: "system", Kind: Function, Params: []Param{fmtParam}, MinArgs: 1, VarArgs: Value, Statement: true, Unsafe: true,
		Signature: "system(fmt, args...)", Doc: "run a shell command (needs --unsafe)"},
	{Name: "signal", Kind: Function, Params: []Param{{"sig", Int | Str}}, MinArgs: 1, Unsafe: true, Result: signalRule,
		Signature: "signal(sig)", Doc: "send a signal (number or name like \"SIGKILL\") to the current task (needs --unsafe)"},
	{Name: "override", Kind: Function, Params: []Param{{"rc", Int}}, MinArgs: 1, Statement: true, Unsafe: true, Probes: []string{"kprobe"},
		Signature: "override(rc)", Doc: "make the probed kernel function return rc (needs --unsafe)"},
	{Name: "str", Kind: Function, Params: []Param{{"ptr", Int | Ptr | Str}, {"len", Int}}, MinArgs: 1, Result: strRule,
		Signature: "str(ptr[, len])", Doc: "read a NUL-terminated string from memory"},
	{Name: "buf", Kind: Function, Params: []Param{{"ptr", Int | Ptr | Str}, {"len", Int}}, MinArgs: 1, Result: bufRule,
		Signature: "buf(ptr[, len])", Doc: "read len bytes from memory; prints as hex escapes"},
	{Name: "ksym", Kind: Function, Params: []Param{{"addr", Int | Ptr}}, MinArgs: 1, Result: symbolRule(false),
		Signature: "ksym(addr)", Doc: "kernel symbol name of an address"},
	{Name: "usym", Kind: Function, Params: []Param{{"addr", Int | Ptr}}, MinArgs: 1, Result: symbolRule(true),
		Signature: "usym(addr)", Doc: "user symbol name of an address in the current process"},
	{Name: "kaddr", Kind: Function, Params: []Param{{"name", Str | Literal}}, MinArgs: 1, Result: u64,
		Signature: "kaddr(\"name\")", Doc: "address of a kernel symbol"},
	{Name: "uaddr", Kind: Function, Params: []Param{{"name", Str | Literal}}, MinArgs: 1, Result: u64, Probes: userProbes,
		Signature: "uaddr(\"name\")", Doc: "address of a symbol in the probed binary"},
	{Name: "ntop", Kind: Function, Params: []Param{{"af or addr", Int | Str | Buf | Ptr}, {"addr", Int | Str | Buf | Ptr}}, MinArgs: 1,
		Result:    fixed(&ast.Type{Kind: ast.KInet, Size: 24}),
		Signature: "ntop([af, ]addr)", Doc: "an IPv4 or IPv6 address that prints in text form"},
	{Name: "macaddr", Kind: Function, Params: []Param{{"addr", Int | Ptr | Buf | Str}}, MinArgs: 1, Result: fixed(ast.String(18)),
		Signature: "macaddr(addr)", Doc: "a 6-byte MAC address as xx:xx:xx:xx:xx:xx"},
	{Name: "clear", Kind: Function, Params: []Param{{"map", Map}}, MinArgs: 1, Statement: true,
		Signature: "clear(@map)", Doc: "delete every element of a map"},
	{Name: "zero", Kind: Function, Params: []Param{{"map", Map}}, MinArgs: 1, Statement: true,
		Signature: "zero(@map)", Doc: "set every value of a map to zero"},
	{Name: "delete", Kind: Function, Params: []Param{{"element", MapElem | Map}, {"key", Key}}, MinArgs: 1, Statement: true,
		Signature: "delete(@map[key]) | delete(@map, key)", Doc: "delete one element of a map"},
	{Name: "has_key", Kind: Function, Params: []Param{{"map", Map}, {"key", Key}}, MinArgs: 2, Result: hasKeyRule,
		Signature: "has_key(@map, key)", Doc: "whether a map holds a key"},
	{Name: "len", Kind: Function, Params: []Param{{"map or stack", Map | Stack}}, MinArgs: 1, Result: lenRule,
		Signature: "len(@map) | len(stack)", Doc: "number of elements of a map, or frames of a stack"},
	{Name: "strncmp", Kind: Function, Params: []Param{{"s1", Str}, {"s2", Str}, {"n", Int | Literal}}, MinArgs: 3, Result: u64,
		Signature: "strncmp(s1, s2, n)", Doc: "0 when the first n characters of two strings are equal"},
	{Name: "strcontains", Kind: Function, Params: []Param{{"haystack", Str}, {"needle", Str}}, MinArgs: 2, Result: boolean,
		Signature: "strcontains(haystack, needle)", Doc: "whether needle occurs in haystack"},
	{Name: "sizeof", Kind: Function, Params: []Param{{"type or expr", TypeName | Value}}, MinArgs: 1, Result: u64,
		Signature: "sizeof(type | expr)", Doc: "size in bytes of a type or of an expression's type"},
	{Name: "offsetof", Kind: Function, Params: []Param{{"struct", TypeName | Value}, {"field", Ident}}, MinArgs: 2, Result: u64,
		Signature: "offsetof(struct, field)", Doc: "offset in bytes of a field within a struct"},
	{Name: "cgroupid", Kind: Function, Params: []Param{{"path", Str | Literal}}, MinArgs: 1, Result: u64,
		Signature: "cgroupid(\"/sys/fs/cgroup/...\")", Doc: "id of the cgroup at a path, resolved at start-up"},
	{Name: "path", Kind: Function, Params: []Param{{"path", Ptr | Int}, {"len", Int | Literal}}, MinArgs: 1,
		Probes:    []string{"fentry", "fexit", "iter"},
		Result:    func(c *Ctx) (*ast.Type, error) { return ast.String(c.MaxStrLen), nil },
		Signature: "path(struct path *[, len])", Doc: "full path of a struct path"},
	{Name: "reg", Kind: Function, Params: []Param{{"name", Str | Literal}}, MinArgs: 1, Result: regRule,
		Probes:    []string{"kprobe", "kretprobe", "uprobe", "uretprobe", "usdt", "profile", "interval", "software", "hardware"},
		Signature: "reg(\"ip\")", Doc: "value of a CPU register at the probe"},
	{Name: "kptr", Kind: Function, Params: []Param{{"ptr", Int | Ptr}}, MinArgs: 1, Result: sameAsArg,
		Signature: "kptr(ptr)", Doc: "mark a pointer as pointing to kernel memory"},
	{Name: "uptr", Kind: Function, Params: []Param{{"ptr", Int | Ptr}}, MinArgs: 1, Result: sameAsArg,
		Signature: "uptr(ptr)", Doc: "mark a pointer as pointing to user memory"},
}
