package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/runtime"
)

// gbt build compiles a script into a file that gbt run runs later, on this
// host or another: the codegen.Object, which holds nothing of the host
// that built it (no fds, addresses or boot times; DESIGN.md), in a JSON
// envelope that says what it is. A file from another format version is
// refused.
const objectFormat = "gbt-object/1"

// objectFile is a built script.
type objectFile struct {
	Format          string // objectFormat
	Version         string // the gbt that built it
	Script          string // the script's text, for positioned errors at run time
	PrintMapsOnExit bool   // the script's print_maps_on_exit setting
	Unsafe          bool   // built with --unsafe: gbt run wants it too
	Object          *codegen.Object
}

// objectExt is the usual name ending of a built script.
const objectExt = ".gbto"

// buildScript is `gbt build [-o FILE] SCRIPT [ARG...]` (or -e PROGRAM):
// it parses, checks and compiles the script with its arguments, has the
// kernel verify every program (so a file that builds loads), and writes
// FILE, by default the script's name with .gbto for .bt.
func buildScript(o *options, stdin io.Reader, stderr io.Writer) int {
	b := *o
	path := b.output
	switch {
	case b.program == "" && b.file == "":
		fmt.Fprintf(stderr, "gbt: build: no script: gbt build [-o FILE] SCRIPT [ARG...]\n")
		return 1
	case path == "" && b.program != "":
		fmt.Fprintf(stderr, "gbt: build: -e needs -o FILE\n")
		return 1
	case path == "":
		path = strings.TrimSuffix(filepath.Base(b.file), ".bt") + objectExt
	}
	name, src, err := readScript(&b, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "gbt: %v\n", err)
		return 1
	}
	prog, settings, err := frontEnd(&b, name, src)
	if err != nil {
		return reportError(stderr, src, err)
	}
	logf := func(format string, args ...any) {
		if b.verbose {
			fmt.Fprintf(stderr, "gbt: "+format+"\n", args...)
		}
	}
	obj, code := compile(&b, prog, src, settings, logf, stderr)
	if obj == nil {
		return code
	}
	// The verifier's check, as --dry-run does it.
	b.dryRun, b.output = true, ""
	if code := runObject(&b, obj, src, settings.PrintMapsOnExit, io.Discard, stderr); code != 0 {
		return code
	}
	f := objectFile{Format: objectFormat, Version: version, Script: string(src), PrintMapsOnExit: settings.PrintMapsOnExit, Unsafe: b.unsafe, Object: obj}
	if err := writeObject(path, &f); err != nil {
		fmt.Fprintf(stderr, "gbt: build: %v\n", err)
		return 1
	}
	logf("wrote %s: %d programs", path, len(obj.Programs))
	return 0
}

// writeObject writes f to path through a temporary file, so that a failed
// build leaves no partial file.
func writeObject(path string, f *objectFile) error {
	data, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gbt-build-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readObject reads a file that gbt build wrote.
func readObject(path string) (*objectFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var head struct{ Format string }
	if err := json.Unmarshal(data, &head); err != nil || head.Format == "" {
		return nil, fmt.Errorf("%s is not a file that gbt build wrote", path)
	}
	if head.Format != objectFormat {
		return nil, fmt.Errorf("%s is in format %s; this gbt runs %s: build it again", path, head.Format, objectFormat)
	}
	var f objectFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Object == nil || len(f.Object.Programs) == 0 {
		return nil, fmt.Errorf("%s has no programs", path)
	}
	return &f, nil
}

// builtCommand runs `gbt build ...` and `gbt run ...`: cmd is args[0],
// the rest are parsed as gbt's options, the first other argument being the
// script (build) or the built file (run).
func builtCommand(cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "gbt: %v\n", err)
		return 1
	}
	if cmd == "build" {
		return buildScript(o, stdin, stderr)
	}
	runtime.Warm()
	return runBuilt(o, stdout, stderr)
}

// runBuilt is `gbt run [options] FILE.gbto`: it runs a built script as
// gbt runs a script, with the options that act at run time (-o, -f, -q,
// -c, -p, --dry-run, -v, and --unsafe for a file built with it). Its
// positional parameters were fixed when it was built.
func runBuilt(o *options, stdout, stderr io.Writer) int {
	switch {
	case o.program != "" || len(o.debug) > 0:
		fmt.Fprintf(stderr, "gbt: run: -e and -d do not apply to a built script\n")
		return 1
	case o.file == "":
		fmt.Fprintf(stderr, "gbt: run: no file: gbt run [options] FILE%s\n", objectExt)
		return 1
	case len(o.params) > 0:
		fmt.Fprintf(stderr, "gbt: run: %s takes no arguments: its positional parameters are fixed by gbt build\n", o.file)
		return 1
	}
	f, err := readObject(o.file)
	if err != nil {
		fmt.Fprintf(stderr, "gbt: %v\n", err)
		return 1
	}
	if f.Unsafe && !o.unsafe {
		fmt.Fprintf(stderr, "gbt: run: %s was built with --unsafe (it may run commands or send signals): run it with --unsafe\n", o.file)
		return 1
	}
	if !checkTarget(o, stderr) {
		return 1
	}
	return runObject(o, f.Object, []byte(f.Script), f.PrintMapsOnExit, stdout, stderr)
}
