package main

import (
	"fmt"
	"regexp"
	"strings"
)

// options is the parsed command line.
type options struct {
	program     string   // -e text
	file        string   // script file, "-" for stdin
	params      []string // positional parameters after the script
	debug       []string // -d stages: ast, types, codegen
	help        bool
	version     bool
	verbose     bool
	quiet       bool
	dryRun      bool
	unsafe      bool   // --unsafe: allow system(), signal(), override()
	output      string // -o FILE
	format      string // -f text|json
	command     string // -c CMD
	pid         int    // -p PID
	list        bool   // -l
	listPattern string // -l PATTERN
}

const usage = `usage: gbt [options] FILE [ARG...]
       gbt [options] -e 'PROGRAM' [ARG...]
       gbt [options] TOOL [ARG...]
       gbt tools
       gbt [options] repl [ARG...]
       gbt build [options] [-o FILE] SCRIPT [ARG...]
       gbt run [options] FILE.gbto

gbt runs bpftrace scripts: one static binary, no LLVM. With no script on
a terminal, or as gbt repl, it starts an interactive session: each probe
block typed is attached at once (type .help there). gbt build compiles a
script, has the kernel verify it and saves it (default: SCRIPT.gbto);
gbt run runs such a file later, on this host or another.

options:
  -e PROGRAM     run PROGRAM
  FILE           run the script in FILE ('-' reads standard input)
  TOOL           run a canned tool by name (see gbt tools)
  -d STAGE       print a compiler stage and exit: ast, types, codegen
                 (may be repeated)
  --dry-run      compile and load into the verifier, attach nothing
  --unsafe       allow the builtins that act on the system: system()
                 runs shell commands, signal() sends signals
  -c CMD         run CMD and trace until it exits
  -p PID         trace only process PID; exit when it exits
  -o FILE        write output to FILE
  -f FORMAT      output format: text (default) or json
  -q             quiet: no "Attached N probes" message
  -v             verbose: full verifier logs, tracefs mounts
  -l [PATTERN]   list probes (-lv: with their arguments)
  -h, --help     show this help
  -V, --version  print the version

ARG... are the positional parameters $1, $2, ... ($# counts them).
`

// parseArgs parses gbt's command line. It follows bpftrace (GNU getopt):
// options may come before or after the other arguments, until "--"; of
// the other arguments, the first is the script file unless -e was given,
// and the rest are the positional parameters. An argument that looks like
// a negative number is a parameter, not an option.
func parseArgs(args []string) (*options, error) {
	o := &options{format: "text"}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") || negativeNumber.MatchString(a) {
			rest = append(rest, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		next := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("option %s needs an argument", name)
			}
			i++
			return args[i], nil
		}
		var err error
		switch name {
		case "-e":
			o.program, err = next()
		case "-d":
			var s string
			s, err = next()
			o.debug = append(o.debug, s)
		case "-o":
			o.output, err = next()
		case "-f":
			o.format, err = next()
		case "-c":
			o.command, err = next()
		case "-p":
			var s string
			if s, err = next(); err == nil {
				_, err = fmt.Sscanf(s, "%d", &o.pid)
				if err != nil || o.pid <= 0 {
					err = fmt.Errorf("-p needs a process id, not %q", s)
				}
			}
		case "-h", "--help":
			o.help = true
		case "-V", "--version":
			o.version = true
		case "-v":
			o.verbose = true
		case "-q":
			o.quiet = true
		case "--dry-run":
			o.dryRun = true
		case "--unsafe":
			o.unsafe = true
		case "-l", "-lv", "-vl":
			o.list = true
			o.verbose = o.verbose || name != "-l"
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				o.listPattern = args[i]
			}
		default:
			return nil, fmt.Errorf("unknown option %s (see gbt -h)", a)
		}
		if err != nil {
			return nil, err
		}
	}
	if o.program == "" && len(rest) > 0 {
		o.file, rest = rest[0], rest[1:]
	}
	o.params = rest
	if o.format != "text" && o.format != "json" {
		return nil, fmt.Errorf("unknown output format %q: use text or json", o.format)
	}
	for _, d := range o.debug {
		switch d {
		case "ast", "types", "codegen":
		default:
			return nil, fmt.Errorf("unknown debug stage %q: use ast, types or codegen", d)
		}
	}
	return o, nil
}

var negativeNumber = regexp.MustCompile(`^-[0-9]`)
