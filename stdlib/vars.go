package stdlib

import "github.com/gbt-project/gbt/lang/ast"

// Probe kind sets shared by several entries.
var (
	argxProbes   = []string{"kprobe", "uprobe", "usdt", "rawtracepoint"}
	argsProbes   = []string{"tracepoint", "rawtracepoint", "fentry", "fexit", "uprobe"}
	retvalProbes = []string{"kretprobe", "uretprobe", "fexit"}
	funcProbes   = []string{"kprobe", "kretprobe", "uprobe", "uretprobe", "fentry", "fexit"}
	userProbes   = []string{"uprobe", "uretprobe", "usdt"}
)

func u64(*Ctx) (*ast.Type, error)     { return ast.Int(8, false), nil }
func i64(*Ctx) (*ast.Type, error)     { return ast.Int(8, true), nil }
func u32(*Ctx) (*ast.Type, error)     { return ast.Int(4, false), nil }
func boolean(*Ctx) (*ast.Type, error) { return ast.Bool(), nil }

func fixed(t *ast.Type) TypeRule { return func(*Ctx) (*ast.Type, error) { return t, nil } }

// isUserKind reports whether a probe kind runs in a user-space context, where
// func is a user symbol.
func isUserKind(kind string) bool {
	return kind == "uprobe" || kind == "uretprobe" || kind == "usdt"
}

// stackParams are the optional arguments of kstack and ustack: a mode
// (bpftrace, perf, raw) and a frame limit, in either order or alone.
var stackParams = []Param{{"mode or limit", Ident | Int | Literal}, {"limit", Int | Literal}}

func stackRule(user bool) TypeRule {
	return func(c *Ctx) (*ast.Type, error) {
		t := &ast.Type{Kind: ast.KStack, User: user, Limit: 127, StackMode: "bpftrace"}
		for i, e := range c.Exprs {
			switch x := e.(type) {
			case *ast.Ident:
				if i != 0 {
					return nil, &ArgError{i, "the stack mode must be the first argument"}
				}
				switch x.Name {
				case "bpftrace", "perf", "raw":
					t.StackMode = x.Name
				default:
					return nil, &ArgError{i, "unknown stack mode '" + x.Name + "' (expected bpftrace, perf or raw)"}
				}
			case *ast.IntLit:
				if x.Value < 1 || x.Value > 1024 {
					return nil, &ArgError{i, "stack limit must be between 1 and 1024"}
				}
				t.Limit = int(x.Value)
			}
		}
		return t, nil
	}
}

// argRule types argN: a 64-bit register, unsigned, except in usdt probes,
// whose arguments are sign-extended from their declared size when signed
// (bpftrace prints them signed).
func argRule(c *Ctx) (*ast.Type, error) {
	if c.ProbeKind == "usdt" {
		return ast.Int(8, true), nil
	}
	return ast.Int(8, false), nil
}

var variables = []*Entry{
	{Name: "pid", Kind: Variable, Result: u32, Doc: "process id (the kernel's tgid) of the current task"},
	{Name: "tid", Kind: Variable, Result: u32, Doc: "thread id (the kernel's pid) of the current task"},
	{Name: "uid", Kind: Variable, Result: u64, Doc: "real user id of the current task"},
	{Name: "gid", Kind: Variable, Result: u64, Doc: "real group id of the current task"},
	{Name: "comm", Kind: Variable, Result: fixed(ast.String(16)), Doc: "name of the current task, at most 15 characters"},
	{Name: "nsecs", Kind: Variable, Result: u64, Doc: "nanoseconds since boot (monotonic clock)"},
	{Name: "elapsed", Kind: Variable, Result: u64, Doc: "nanoseconds since gbt started"},
	{Name: "cpu", Kind: Variable, Result: u64, Doc: "id of the processor running the probe"},
	{Name: "ncpus", Kind: Variable, Result: u64, Doc: "number of possible processors"},
	{Name: "numaid", Kind: Variable, Result: u64, Doc: "NUMA node of the processor running the probe"},
	{Name: "cgroup", Kind: Variable, Result: u64, Doc: "cgroup v2 id of the current task"},
	{Name: "curtask", Kind: Variable, Doc: "pointer to the current task's struct task_struct",
		Result: fixed(&ast.Type{Kind: ast.KPointer, Size: 8, Elem: &ast.Type{Kind: ast.KRecord, Name: "struct task_struct"}})},
	{Name: "rand", Kind: Variable, Result: u64, Doc: "a pseudo-random 32-bit number"},
	{Name: "jiffies", Kind: Variable, Result: u64, Doc: "kernel jiffies since boot"},
	{Name: "cpid", Kind: Variable, Result: u64, Doc: "process id of the child started with -c"},
	{Name: "username", Kind: Variable, Result: fixed(&ast.Type{Kind: ast.KUsername, Size: 8}), Doc: "the current user id, printed as the user's name"},
	{Name: "probe", Kind: Variable, Result: fixed(&ast.Type{Kind: ast.KProbeName, Size: 8}), Doc: "full name of the probe that fired"},
	{Name: "func", Kind: Variable, Probes: funcProbes, Doc: "name of the traced function",
		Result: func(c *Ctx) (*ast.Type, error) {
			return &ast.Type{Kind: ast.KSymbol, Size: 8, User: isUserKind(c.ProbeKind)}, nil
		}},
	{Name: "retval", Kind: Variable, Probes: retvalProbes, Result: u64, Doc: "return value of the traced function"},
	{Name: "args", Kind: Variable, Probes: argsProbes, Doc: "the probe's arguments as a record: args.filename",
		Result: fixed(&ast.Type{Kind: ast.KRecord, Name: "args"})},
	{Name: "argN", Kind: Variable, Probes: argxProbes, Result: argRule, Doc: "N-th argument of the traced function, from arg0"},
	{Name: "kstack", Kind: Variable, Params: stackParams, Result: stackRule(false),
		Signature: "kstack[([mode][, limit])]", Doc: "kernel stack trace; mode bpftrace, perf or raw"},
	{Name: "ustack", Kind: Variable, Params: stackParams, Result: stackRule(true),
		Signature: "ustack[([mode][, limit])]", Doc: "user stack trace; mode bpftrace, perf or raw"},
}
