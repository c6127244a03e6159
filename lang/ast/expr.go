package ast

// Expr is an expression. The checker records each expression's type with
// SetType; Type returns nil before checking.
type Expr interface {
	Node
	Type() *Type
	SetType(*Type)
	exprNode()
}

// typed is embedded in every expression node to hold its checked type.
type typed struct{ typ *Type }

func (t *typed) Type() *Type     { return t.typ }
func (t *typed) SetType(x *Type) { t.typ = x }

// IntLit is an integer literal: decimal, hex (0x), octal (0), with `_`
// separators, an exponent (1e6) or a duration suffix (ns us ms s m h d;
// the value is then in nanoseconds).
type IntLit struct {
	Span
	typed
	Value uint64
	Raw   string // as written
}

// StrLit is a string literal; Value has its escapes resolved.
type StrLit struct {
	Span
	typed
	Value string
	Raw   string // as written, with quotes
}

// BoolLit is `true` or `false`.
type BoolLit struct {
	Span
	typed
	Value bool
}

// Var is a scratch variable `$name`.
type Var struct {
	Span
	typed
	Name string // with the '$'
}

// Positional is a positional parameter `$1`..`$N`, or `$#` (Count set).
type Positional struct {
	Span
	typed
	N     int
	Count bool
}

// MapExpr is a map reference `@name`, `@` or `@name[k1, k2, ...]`.
type MapExpr struct {
	Span
	typed
	Name string // with the '@'; "@" for the bare map
	Keys []Expr // nil when the map is used without a key
}

// Ident is a bare identifier: a builtin variable (pid, comm, arg0, args,
// ...), an enum value, or a name the checker rejects.
type Ident struct {
	Span
	typed
	Name string
}

// Call is `name(args...)`: a builtin function, an aggregation or a macro.
type Call struct {
	Span
	typed
	Name    string
	NameEnd Pos // end of the name, for diagnostics that point at it
	Args    []Expr
}

// Binary is `X op Y` for op in || && | ^ & == != < <= > >= << >> + - * / %.
type Binary struct {
	Span
	typed
	Op   string
	X, Y Expr
}

// Unary is a prefix `op X` for op in ! ~ - * &.
type Unary struct {
	Span
	typed
	Op string
	X  Expr
}

// IncDec is `X++`, `X--` (Post) or `++X`, `--X`.
type IncDec struct {
	Span
	typed
	Op   string // "++" or "--"
	Post bool
	X    Expr
}

// Ternary is `Cond ? Then : Else`.
type Ternary struct {
	Span
	typed
	Cond, Then, Else Expr
}

// Cast is `(type)X`.
type Cast struct {
	Span
	typed
	To *TypeExpr
	X  Expr
}

// Field is `X.Name` or `X->Name` (Arrow).
type Field struct {
	Span
	typed
	X     Expr
	Name  string
	Arrow bool
}

// Index is `X[I]` on something that is not a map (arrays, pointers).
type Index struct {
	Span
	typed
	X, I Expr
}

// Tuple is `(a, b, ...)` with at least two elements.
type Tuple struct {
	Span
	typed
	Elems []Expr
}

// TupleIndex is `X.N` with an integer N.
type TupleIndex struct {
	Span
	typed
	X Expr
	N int
}

// TypeExpr names a type: `uint32`, `struct task_struct *`, `char[16]`.
// It appears in casts, in `let` declarations and as an argument of sizeof
// and offsetof, where it is an expression.
type TypeExpr struct {
	Span
	typed
	Name  string // "uint32", "struct task_struct", "int", ...
	Ptr   int    // number of '*'
	Array int    // element count for `T[N]`, 0 otherwise
}

func (*IntLit) exprNode()     {}
func (*StrLit) exprNode()     {}
func (*BoolLit) exprNode()    {}
func (*Var) exprNode()        {}
func (*Positional) exprNode() {}
func (*MapExpr) exprNode()    {}
func (*Ident) exprNode()      {}
func (*Call) exprNode()       {}
func (*Binary) exprNode()     {}
func (*Unary) exprNode()      {}
func (*IncDec) exprNode()     {}
func (*Ternary) exprNode()    {}
func (*Cast) exprNode()       {}
func (*Field) exprNode()      {}
func (*Index) exprNode()      {}
func (*Tuple) exprNode()      {}
func (*TupleIndex) exprNode() {}
func (*TypeExpr) exprNode()   {}
