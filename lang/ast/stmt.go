package ast

// Stmt is a statement. Every statement type below implements it.
type Stmt interface {
	Node
	stmtNode()
}

// Block is `{ stmt; stmt; ... }`. It opens a scope for scratch variables.
type Block struct {
	Span
	Stmts []Stmt
}

// ExprStmt is an expression used as a statement: a call such as
// printf(...), an increment such as @x++, or a bare expression.
type ExprStmt struct {
	Span
	X Expr
}

// AssignStmt is `target = value` or a compound assignment `target op= value`.
// Target is a *MapExpr, a *Var, or (when the checker allows it) a field.
type AssignStmt struct {
	Span
	Target Expr
	Op     string // "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="
	Value  Expr
}

// LetStmt is `let $x[: type] [= value]`.
type LetStmt struct {
	Span
	Var   *Var
	Type  *TypeExpr // nil when no type is written
	Value Expr      // nil when there is no initializer
}

// IfStmt is `if (cond) { then } [else ...]`. Else is nil, a *Block, or an
// *IfStmt for `else if`.
type IfStmt struct {
	Span
	Cond Expr
	Then *Block
	Else Stmt
}

// UnrollStmt is `unroll (n) { body }`.
type UnrollStmt struct {
	Span
	Count Expr
	Body  *Block
}

// WhileStmt is `while (cond) { body }`.
type WhileStmt struct {
	Span
	Cond Expr
	Body *Block
}

// ForStmt is either `for ($kv : @map) { body }` (Map set) or
// `for ($i : lo..hi) { body }` (Lo and Hi set).
type ForStmt struct {
	Span
	Var  *Var
	Map  *MapExpr
	Lo   Expr
	Hi   Expr
	Body *Block
}

// BreakStmt is `break`.
type BreakStmt struct{ Span }

// ContinueStmt is `continue`.
type ContinueStmt struct{ Span }

// ReturnStmt is `return` or `return value`.
type ReturnStmt struct {
	Span
	Value Expr // nil for a bare return
}

func (*Block) stmtNode()        {}
func (*ExprStmt) stmtNode()     {}
func (*AssignStmt) stmtNode()   {}
func (*LetStmt) stmtNode()      {}
func (*IfStmt) stmtNode()       {}
func (*UnrollStmt) stmtNode()   {}
func (*WhileStmt) stmtNode()    {}
func (*ForStmt) stmtNode()      {}
func (*BreakStmt) stmtNode()    {}
func (*ContinueStmt) stmtNode() {}
func (*ReturnStmt) stmtNode()   {}
