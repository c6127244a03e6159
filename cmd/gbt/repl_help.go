package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gbt-project/gbt/runtime"
	"github.com/gbt-project/gbt/stdlib"
)

// help prints the REPL's help, or the stdlib catalogue's entry for a
// builtin or a probe kind.
func (r *repl) help(name string) {
	if name == "" {
		fmt.Fprint(r.stdout, replHelp)
		fmt.Fprintln(r.stdout, "\nBuiltins (.help NAME for one):")
		wrap(r.stdout, stdlib.Names(), 76)
		var kinds []string
		for _, k := range stdlib.ProbeKinds() {
			kinds = append(kinds, k.Name)
		}
		fmt.Fprintln(r.stdout, "Probe kinds:")
		wrap(r.stdout, kinds, 76)
		return
	}
	if e := stdlib.Lookup(name); e != nil {
		fmt.Fprintf(r.stdout, "%s  (%s)\n  %s\n", e.Signature, e.Kind, e.Doc)
		if e.Unsafe {
			fmt.Fprintln(r.stdout, "  needs --unsafe")
		}
		return
	}
	if k := stdlib.ProbeKind(name); k != nil {
		fmt.Fprintf(r.stdout, "%s  (probe kind", k.Form)
		if len(k.Aliases) > 0 {
			fmt.Fprintf(r.stdout, "; also %s", strings.Join(k.Aliases, ", "))
		}
		fmt.Fprintf(r.stdout, ")\n  %s\n", k.Doc)
		if k.Absent != "" {
			fmt.Fprintf(r.stdout, "  this project's kernels lack %s: use %s\n", k.Absent, k.Alternative)
		}
		return
	}
	fmt.Fprintf(r.stderr, "no builtin or probe kind named %q", name)
	if s := stdlib.Closest(name, stdlib.Names()); s != "" {
		fmt.Fprintf(r.stderr, ": did you mean %q?", s)
	}
	fmt.Fprintln(r.stderr)
}

// wrap prints words separated by spaces in lines of at most width
// columns, indented by two.
func wrap(w io.Writer, words []string, width int) {
	line := " "
	for _, word := range words {
		if len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line = " "
		}
		line += " " + word
	}
	if line != " " {
		fmt.Fprintln(w, line)
	}
}

// list prints the probes a pattern names, as gbt -l does; Ctrl-C stops a
// long listing.
func (r *repl) list(pattern string) {
	probes, err := runtime.ListProbes(pattern, runtime.ListOptions{
		Verbose: r.o.verbose,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(r.stderr, "gbt: "+format+"\n", args...)
		},
	})
	if err == nil {
		ctx, done := r.command()
		defer done()
		err = runtime.WriteProbes(&stopWriter{ctx: ctx, w: r.stdout}, probes)
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = nil
		}
	}
	if err != nil {
		fmt.Fprintf(r.stderr, "gbt: %v\n", err)
	}
}
