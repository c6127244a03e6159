// Package lang is gbt's language front end: bpftrace's language parsed with
// a participle/v2 grammar into unexported concrete-syntax structs, lowered
// into the positioned tree of package ast, then name-resolved and
// type-checked against the builtin catalogue of package stdlib.
//
// Two entry points:
//
//	prog, err := lang.Parse(filename, src)   // syntax; err is an ast.ErrorList
//	err = lang.Check(prog, lang.CheckOptions{}) // names, types, probe specs
//
// Both report every problem they can find as positioned diagnostics; the
// caller renders them with ast.ErrorList.Render.
package lang
