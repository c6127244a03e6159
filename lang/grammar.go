package lang

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The concrete syntax: participle grammar structs, one top-level item
// (config block, macro or probe) at a time. Binary operators are parsed as a
// flat operand/operator sequence; lowering applies precedence and
// associativity. Every struct records its first token (Pos) and its tokens,
// from which lowering computes spans.

type topG struct {
	Config *configG `parser:"@@"`
	Macro  *macroG  `parser:"| @@"`
	Probe  *probeG  `parser:"| @@"`
}

type configG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Items  []*configItemG `parser:"\"config\" \"=\" \"{\" ( @@ | \";\" )* \"}\" \";\"?"`
}

type configItemG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Key    string `parser:"@Ident \"=\""`
	Value  *exprG `parser:"@@"`
}

type macroG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Name   string   `parser:"\"macro\" @Ident"`
	Params []string `parser:"\"(\" ( @(Var | Map | Ident) ( \",\" @(Var | Map | Ident) )* )? \")\""`
	Body   *blockG  `parser:"@@"`
}

type probeG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Specs  []*specG `parser:"@@ ( \",\" @@ )*"`
	Pred   *exprG   `parser:"( PredOpen @@ PredClose )?"`
	Body   *blockG  `parser:"@@"`
}

type specG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Raw    string `parser:"@Spec"`
}

type blockG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Items  []*blockItemG `parser:"\"{\" @@* \"}\""`
}

// blockItemG is a statement or a ';'. Lowering checks that simple
// statements are separated by semicolons.
type blockItemG struct {
	Semi bool   `parser:"@\";\""`
	Stmt *stmtG `parser:"| @@"`
}

type stmtG struct {
	Pos      lexer.Position
	Tokens   []lexer.Token
	Let      *letG      `parser:"@@"`
	If       *ifG       `parser:"| @@"`
	Unroll   *loopG     `parser:"| \"unroll\" @@"`
	While    *loopG     `parser:"| \"while\" @@"`
	For      *forG      `parser:"| @@"`
	Break    bool       `parser:"| @\"break\""`
	Continue bool       `parser:"| @\"continue\""`
	Return   *returnG   `parser:"| @@"`
	Block    *blockG    `parser:"| @@"`
	Expr     *exprStmtG `parser:"| @@"`
}

type letG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Var    *varG  `parser:"\"let\" @@"`
	Type   *typeG `parser:"( \":\" @@ )?"`
	Value  *exprG `parser:"( \"=\" @@ )?"`
}

type varG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Name   string `parser:"@Var"`
}

type ifG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Cond   *exprG  `parser:"\"if\" \"(\" @@ \")\""`
	Then   *blockG `parser:"@@"`
	ElseIf *ifG    `parser:"( \"else\" ( @@"`
	Else   *blockG `parser:"| @@ ) )?"`
}

// loopG is the part of `parser:"unroll (n) { }"` and `parser:"while (c) { }"` after the keyword.
type loopG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Cond   *exprG  `parser:"\"(\" @@ \")\""`
	Body   *blockG `parser:"@@"`
}

type forG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Var    *varG   `parser:"\"for\" \"(\" @@ \":\""`
	Lo     *exprG  `parser:"@@"`
	Hi     *exprG  `parser:"( \"..\" @@ )? \")\""`
	Body   *blockG `parser:"@@"`
}

type returnG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Value  *exprG `parser:"\"return\" @@?"`
}

type exprStmtG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	X      *exprG `parser:"@@"`
	Op     string `parser:"( @( \"=\" | \"+=\" | \"-=\" | \"*=\" | \"/=\" | \"%=\" | \"&=\" | \"|=\" | \"^=\" | \"<<=\" | \">>=\" )"`
	Value  *exprG `parser:"@@ )?"`
}

// exprG is a conditional expression: a flat sequence of binary operations,
// optionally followed by `parser:"? then : else"` (right associative).
type exprG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	X      *unaryG   `parser:"@@"`
	Ops    []*binOpG `parser:"@@*"`
	Then   *exprG    `parser:"( \"?\" @@"`
	Else   *exprG    `parser:"\":\" @@ )?"`
}

type binOpG struct {
	Op string  `parser:"@( \"||\" | \"&&\" | \"|\" | \"^\" | \"&\" | \"==\" | \"!=\" | \"<=\" | \">=\" | \"<\" | \">\" | \"<<\" | \">>\" | \"+\" | \"-\" | \"*\" | \"/\":Punct | \"%\" )"`
	Y  *unaryG `parser:"@@"`
}

type unaryG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Op     string    `parser:"( @( \"!\" | \"~\" | \"-\" | \"*\" | \"&\" | \"++\" | \"--\" )"`
	X      *unaryG   `parser:"  @@"`
	Post   *postfixG `parser:"| @@ )"`
}

type typeG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Tag    string   `parser:"(  @( \"struct\" | \"union\" | \"enum\" )"`
	Name   string   `parser:"@( Ident | Type )"`
	Words  []string `parser:"| @Type+ )"`
	Stars  []string `parser:"@\"*\"*"`
	Array  string   `parser:"( \"[\" @Int \"]\" )?"`
}

type postfixG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	X      *primaryG  `parser:"@@"`
	Ops    []*postOpG `parser:"@@*"`
}

type postOpG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Arrow  bool     `parser:"(  ( \".\" | @\"->\" )"`
	Name   string   `parser:"@( Ident | Keyword | Type | Int )"`
	Index  []*exprG `parser:"| \"[\" @@ ( \",\" @@ )* \"]\""`
	IncDec string   `parser:"| @( \"++\" | \"--\" ) )"`
}

// primaryG is an operand. A '(' starts a cast when a type follows it, and
// otherwise a parenthesised expression or a tuple: the token after '('
// decides, so the grammar needs no backtracking.
type primaryG struct {
	Pos        lexer.Position
	Tokens     []lexer.Token
	Int        string   `parser:"  @Int"`
	Str        string   `parser:"| @String"`
	Bool       string   `parser:"| @( \"true\" | \"false\" )"`
	Var        string   `parser:"| @Var"`
	Positional string   `parser:"| @Positional"`
	Map        *mapG    `parser:"| @@"`
	Ident      *identG  `parser:"| @@"`
	Cast       *typeG   `parser:"| \"(\" ( @@ \")\""`
	CastX      *unaryG  `parser:"    @@"`
	Paren      []*exprG `parser:"  | @@ ( \",\" @@ )* \")\" )"`
}

type mapG struct {
	Pos    lexer.Position
	Tokens []lexer.Token
	Name   string   `parser:"@Map"`
	Keys   []*exprG `parser:"( \"[\" @@ ( \",\" @@ )* \"]\" )?"`
}

// identG is a name, or a call when '(' follows it.
type identG struct {
	Name string  `parser:"@Ident"`
	Call bool    `parser:"( @\"(\""`
	Args []*argG `parser:"  ( @@ ( \",\" @@ )* )? \")\" )?"`
}

// argG is a call argument: sizeof and offsetof take types.
type argG struct {
	Type *typeG `parser:"@@"`
	Expr *exprG `parser:"| @@"`
}

// itemParser returns the parser of one top-level item, built on first use.
var itemParser = sync.OnceValue(func() *participle.Parser[topG] {
	return participle.MustBuild[topG](
		participle.Lexer(scriptLexer{symbols: tokenSymbols}),
		participle.UseLookahead(0),
	)
})

// BuildParser builds the parser that Parse uses, once per process; Parse
// builds it itself when needed. Building it reflects over the grammar
// structs and lexes every struct tag (about 1 MB of allocations), the
// largest part of gbt's own start-up, so a command can call BuildParser
// early in a goroutine and do its other start-up work meanwhile.
func BuildParser() { itemParser() }
