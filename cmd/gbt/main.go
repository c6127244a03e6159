// Command gbt runs bpftrace scripts: it parses and checks them (package
// lang), compiles them to eBPF (package codegen), and loads, attaches and
// prints their results (package runtime). This file only wires those stages
// to the command line.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/runtime"
)

// version is stamped by the Makefile with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is gbt's whole command line behaviour, returning the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "build" || args[0] == "run") {
		return builtCommand(args[0], args[1:], stdin, stdout, stderr)
	}
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "gbt: %v\n", err)
		return 1
	}
	switch {
	case o.help:
		fmt.Fprint(stdout, usage)
		return 0
	case o.version:
		fmt.Fprintf(stdout, "gbt %s\n", version)
		return 0
	case o.list:
		return listProbes(o, stdout, stderr)
	case o.file == "tools" && len(o.params) == 0:
		listTools(stdout)
		return 0
	case o.program == "" && (o.file == "repl" || o.file == "" && isTerminal(stdin)):
		return runREPL(o, stdin, stdout, stderr)
	}
	// The parser is built in the background, into heap pages mapped in
	// one go, while the script is read and, unless only a compiler stage
	// is shown, the kernel's features are probed.
	go func() {
		runtime.PrefaultHeap(3 << 20)
		lang.BuildParser()
	}()
	if len(o.debug) == 0 {
		runtime.Warm()
	}
	name, src, err := readScript(o, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "gbt: %v\n", err)
		if name == "" {
			fmt.Fprint(stderr, usage)
		}
		return 1
	}
	prog, settings, err := frontEnd(o, name, src)
	if err != nil {
		return reportError(stderr, src, err)
	}
	if has(o.debug, "ast") || has(o.debug, "types") {
		ast.Dump(stdout, prog, has(o.debug, "types"))
		return 0
	}
	return execute(o, prog, src, settings, stdout, stderr)
}

// frontEnd parses and checks a script with the settings of its config
// block and the environment. Scripts and the REPL share it.
func frontEnd(o *options, name string, src []byte) (*ast.Program, lang.Settings, error) {
	prog, err := lang.Parse(name, src)
	var settings lang.Settings
	if err == nil {
		settings, err = lang.ResolveSettings(prog, os.Getenv)
	}
	if err == nil {
		err = lang.Check(prog, lang.CheckOptions{Params: o.params, MaxStrLen: settings.MaxStrLen, Unsafe: o.unsafe})
	}
	return prog, settings, err
}

// readScript returns the script's display name and text.
func readScript(o *options, stdin io.Reader) (string, []byte, error) {
	switch {
	case o.program != "":
		return "stdin", []byte(o.program), nil
	case o.file == "-":
		src, err := io.ReadAll(stdin)
		return "stdin", src, err
	case o.file != "":
		if src, ok := toolSource(o.file); ok {
			return o.file, src, nil
		}
		src, err := os.ReadFile(o.file)
		return o.file, src, err
	}
	return "", nil, errors.New("no program given: use -e 'PROGRAM' or a script file")
}

// reportError prints positioned diagnostics as bpftrace does, or any other
// error on one line, and returns the exit status for a failed run.
func reportError(stderr io.Writer, src []byte, err error) int {
	var list ast.ErrorList
	var d *ast.Diagnostic
	switch {
	case errors.As(err, &list):
		fmt.Fprint(stderr, list.Render(src))
	case errors.As(err, &d):
		fmt.Fprint(stderr, d.Render(src))
	default:
		fmt.Fprintf(stderr, "gbt: %v\n", err)
	}
	return 1
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
