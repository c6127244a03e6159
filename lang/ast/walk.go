package ast

// InspectStmts visits s and, in source order, every statement nested in it
// (block members, if/else branches, loop bodies). When fn returns false the
// statements inside the one it was given are skipped. Expressions are not
// visited.
func InspectStmts(s Stmt, fn func(Stmt) bool) {
	if s == nil || !fn(s) {
		return
	}
	switch x := s.(type) {
	case *Block:
		for _, s := range x.Stmts {
			InspectStmts(s, fn)
		}
	case *IfStmt:
		InspectStmts(x.Then, fn)
		if x.Else != nil {
			InspectStmts(x.Else, fn)
		}
	case *WhileStmt:
		InspectStmts(x.Body, fn)
	case *UnrollStmt:
		InspectStmts(x.Body, fn)
	case *ForStmt:
		InspectStmts(x.Body, fn)
	}
}
