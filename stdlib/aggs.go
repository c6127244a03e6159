package stdlib

import (
	"fmt"

	"github.com/gbt-project/gbt/lang/ast"
)

// aggOf builds the type rule of an aggregation over a value: sum, min, max,
// avg and stats are signed when their argument is.
func aggOf(kind ast.AggKind) TypeRule {
	return func(c *Ctx) (*ast.Type, error) {
		signed := len(c.Args) > 0 && c.Args[0].Kind == ast.KInt && c.Args[0].Signed
		return ast.Agg(kind, signed), nil
	}
}

func histRule(c *Ctx) (*ast.Type, error) {
	if len(c.Exprs) == 2 {
		k, ok := IntValue(c.Exprs[1])
		if !ok || k < 0 || k > 5 {
			return nil, &ArgError{1, "hist() bits must be an integer literal from 0 to 5"}
		}
	}
	return aggOf(ast.AggHist)(c)
}

func lhistRule(c *Ctx) (*ast.Type, error) {
	var v [3]int64
	for i := range v {
		n, ok := IntValue(c.Exprs[i+1])
		if !ok {
			return nil, &ArgError{i + 1, fmt.Sprintf("lhist() %s must be an integer literal", lhistParams[i+1].Name)}
		}
		v[i] = n
	}
	lo, hi, step := v[0], v[1], v[2]
	switch {
	case lo < 0:
		return nil, &ArgError{1, "lhist() min must be non-negative"}
	case lo > hi:
		return nil, &ArgError{1, "lhist() min must be less than max"}
	case step <= 0:
		return nil, &ArgError{3, "lhist() step must be at least 1"}
	case (hi-lo)/step > 1000:
		return nil, &ArgError{3, "lhist() too many buckets, must be <= 1000 (max - min) / step"}
	}
	return aggOf(ast.AggLhist)(c)
}

var (
	valueParam  = []Param{{"value", Int}}
	lhistParams = []Param{{"value", Int}, {"min", Int | Literal}, {"max", Int | Literal}, {"step", Int | Literal}}
)

var aggregations = []*Entry{
	{Name: "count", Kind: Aggregation, Result: aggOf(ast.AggCount),
		Signature: "@m = count()", Doc: "count events"},
	{Name: "sum", Kind: Aggregation, Params: valueParam, MinArgs: 1, Result: aggOf(ast.AggSum),
		Signature: "@m = sum(n)", Doc: "sum of values"},
	{Name: "avg", Kind: Aggregation, Params: valueParam, MinArgs: 1, Result: aggOf(ast.AggAvg),
		Signature: "@m = avg(n)", Doc: "average of values (integer division)"},
	{Name: "min", Kind: Aggregation, Params: valueParam, MinArgs: 1, Result: aggOf(ast.AggMin),
		Signature: "@m = min(n)", Doc: "minimum of values"},
	{Name: "max", Kind: Aggregation, Params: valueParam, MinArgs: 1, Result: aggOf(ast.AggMax),
		Signature: "@m = max(n)", Doc: "maximum of values"},
	{Name: "stats", Kind: Aggregation, Params: valueParam, MinArgs: 1, Result: aggOf(ast.AggStats),
		Signature: "@m = stats(n)", Doc: "count, average and total of values"},
	{Name: "hist", Kind: Aggregation, Params: []Param{{"value", Int}, {"bits", Int | Literal}}, MinArgs: 1, Result: histRule,
		Signature: "@m = hist(n[, bits])", Doc: "power-of-two histogram of values"},
	{Name: "lhist", Kind: Aggregation, Params: lhistParams, MinArgs: 4, Result: lhistRule,
		Signature: "@m = lhist(n, min, max, step)", Doc: "linear histogram of values"},
}
