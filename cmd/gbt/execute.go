package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/lang"
	"github.com/gbt-project/gbt/lang/ast"
	"github.com/gbt-project/gbt/runtime"
)

// pageSize is the unit of the perf_rb_pages setting.
const pageSize = 4096

// hostOptions are the compiler options that describe this host and the
// command line. Scripts and the REPL share them.
func hostOptions(o *options, logf func(format string, args ...any)) codegen.Options {
	return codegen.Options{
		Kernel: runtime.HostKernelInfo(logf),
		Types:  runtime.NewBTFTypes(),
		User:   runtime.HostUserInfo(o.pid),
		Params: o.params,
	}
}

// withSettings adds the settings of a program's config block and
// environment to opts.
func withSettings(opts codegen.Options, settings lang.Settings) codegen.Options {
	opts.MaxStrLen = settings.MaxStrLen
	opts.MaxMapKeys = settings.MaxMapKeys
	opts.RingbufSize = settings.PerfRbPages * pageSize
	return opts
}

// execute compiles a checked program and runs it (or prints its listing
// for -d codegen) with the settings of its config block and environment,
// returning the exit status.
func execute(o *options, prog *ast.Program, src []byte, settings lang.Settings, stdout, stderr io.Writer) int {
	logf := func(format string, args ...any) {
		if o.verbose {
			fmt.Fprintf(stderr, "gbt: "+format+"\n", args...)
		}
	}
	if !checkTarget(o, stderr) {
		return 1
	}
	obj, code := compile(o, prog, src, settings, logf, stderr)
	if obj == nil {
		return code
	}
	if has(o.debug, "codegen") {
		fmt.Fprint(stdout, obj.Listing())
		return 0
	}
	return runObject(o, obj, src, settings.PrintMapsOnExit, stdout, stderr)
}

// checkTarget checks -p and -c: not both, and -p's process exists.
func checkTarget(o *options, stderr io.Writer) bool {
	if o.pid != 0 && o.command != "" {
		fmt.Fprintln(stderr, "gbt: -p and -c cannot be used together")
		return false
	}
	if o.pid != 0 {
		if err := runtime.CheckProcess(o.pid); err != nil {
			fmt.Fprintf(stderr, "gbt: %v\n", err)
			return false
		}
	}
	return true
}

// compile compiles a checked program for this host and prints the
// compiler's warnings; on failure it prints the errors and returns a nil
// Object and the exit status.
func compile(o *options, prog *ast.Program, src []byte, settings lang.Settings, logf func(string, ...any), stderr io.Writer) (*codegen.Object, int) {
	obj, err := codegen.Compile(prog, withSettings(hostOptions(o, logf), settings))
	if err != nil {
		return nil, reportError(stderr, src, err)
	}
	for _, w := range obj.Warnings {
		d := &ast.Diagnostic{File: prog.File, Pos: w.Pos, End: w.End, Msg: w.Msg, Warning: true}
		fmt.Fprint(stderr, d.Render(src))
	}
	return obj, 0
}

// runObject runs a compiled program (src is its script, for positioned
// verifier errors) until it exits or is stopped, and returns the exit
// status. Maps print at exit unless printMaps is false (the
// print_maps_on_exit setting).
func runObject(o *options, obj *codegen.Object, src []byte, printMaps bool, stdout, stderr io.Writer) int {
	w := stdout
	if o.output != "" {
		f, err := os.Create(o.output)
		if err != nil {
			fmt.Fprintf(stderr, "gbt: %v\n", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	var out runtime.Output = runtime.NewText(w, stderr)
	if o.format == "json" {
		out = runtime.NewJSON(w)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := runtime.Run(ctx, obj, runtime.Options{
		Out:     out,
		Stderr:  stderr,
		Quiet:   o.quiet,
		Verbose: o.verbose,
		DryRun:  o.dryRun,
		Command: o.command,
		Pid:     o.pid,

		NoMapsAtExit: !printMaps,
	})
	if err != nil {
		var le *runtime.LoadError
		if errors.As(err, &le) && le.Report != nil {
			// A report without a script position prints as the error.
			if d := le.Report.Diagnostic(obj.File); d != nil {
				fmt.Fprint(stderr, d.Render(src))
				return 1
			}
		}
		fmt.Fprintf(stderr, "gbt: %v\n", err)
		return 1
	}
	return code
}
