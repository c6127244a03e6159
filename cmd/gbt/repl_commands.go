package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/gbt-project/gbt/runtime"
)

// replHelp is what .help prints.
const replHelp = `Type a probe block to compile, load and attach it at once, e.g.
  tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }
Input continues on a "... " prompt until the braces balance.

Commands:
  print @x [, top [, div]]   print a live map (also print(@x, ...))
  clear @x                   delete every key of a map (also clear(@x))
  zero @x                    set every value of a map to zero
  .maps                      list the maps with their entry counts
  .probes                    list the attached blocks with their numbers
  .detach N                  detach block N
  .stop                      detach every block
  .list [PATTERN]            list probes, e.g. .list tracepoint:sched:*
  .help [NAME]               this help, or a builtin's or probe kind's
  .save FILE                 write the attached blocks as a runnable script
  !CMD, .shell CMD           run a shell command and wait for it
  .quit                      end the session (also Ctrl-D): print the maps
Ctrl-C clears the line or stops a command; it never detaches a probe.
`

// dotCommands are the commands that start with '.', for completion.
var dotCommands = []string{".maps", ".probes", ".detach", ".stop", ".list", ".help", ".save", ".shell", ".quit"}

// mapCommands act on a live map: print @x, clear @x, zero @x.
var mapCommands = []string{"print", "clear", "zero"}

// isCommand reports whether t (trimmed) is a REPL command rather than
// program text.
func isCommand(t string) bool {
	if strings.HasPrefix(t, ".") || strings.HasPrefix(t, "!") {
		return true
	}
	_, _, ok := mapCommand(t)
	return ok
}

// mapCommand splits "print @x, 10", "print(@x, 10)" or "clear @x" into
// the command and its arguments.
func mapCommand(t string) (string, []string, bool) {
	for _, c := range mapCommands {
		rest, ok := strings.CutPrefix(t, c)
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if inner, ok := strings.CutPrefix(rest, "("); ok {
			inner, ok = strings.CutSuffix(strings.TrimSuffix(inner, ";"), ")")
			if !ok {
				return "", nil, false
			}
			rest = inner
		}
		if !strings.HasPrefix(strings.TrimSpace(rest), "@") {
			return "", nil, false
		}
		var args []string
		for _, a := range strings.Split(strings.TrimSuffix(rest, ";"), ",") {
			args = append(args, strings.TrimSpace(a))
		}
		return c, args, true
	}
	return "", nil, false
}

// run runs one entry and reports whether the session should end.
func (r *repl) run(text string) (quit bool) {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
	case strings.HasPrefix(t, "!"):
		r.shell(strings.TrimSpace(t[1:]))
	case strings.HasPrefix(t, "."):
		return r.dot(t)
	default:
		if c, args, ok := mapCommand(t); ok {
			r.mapCommand(c, args)
			return false
		}
		r.addBlock(strings.TrimRight(text, " \t\n"))
	}
	return false
}

// dot runs a '.' command.
func (r *repl) dot(t string) bool {
	name, arg, _ := strings.Cut(t, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ".quit", ".exit", ".q":
		return true
	case ".help", ".h":
		r.help(arg)
	case ".maps":
		r.maps()
	case ".probes":
		r.probes()
	case ".detach":
		r.detach(arg)
	case ".stop":
		r.stop()
	case ".list", ".l":
		r.list(arg)
	case ".save":
		r.save(arg)
	case ".shell":
		r.shell(arg)
	default:
		fmt.Fprintf(r.stderr, "unknown command %s (see .help)\n", name)
	}
	return false
}

// addBlock compiles the whole program with text as its new block, and
// loads and attaches the block's programs.
func (r *repl) addBlock(text string) {
	b := &replBlock{text: text}
	p := compose(append(append([]*replBlock(nil), r.blocks...), b))
	obj, progs, settings, err := r.compile(p)
	if err == nil {
		fmt.Fprint(r.stderr, p.warnings(obj))
		p.placeRuntimeErrors(obj, r.numbered()+1)
		var sb *runtime.Block
		sb, err = r.sess.Add(obj, progs)
		b.live = sb
	}
	if err != nil {
		fmt.Fprint(r.stderr, p.render(err))
		return
	}
	r.blocks = append(r.blocks, b)
	r.sess.SetPrintMapsOnExit(settings.PrintMapsOnExit)
	if b.live == nil {
		return
	}
	b.n = r.numbered() + 1
	b.programs = len(progs)
	r.sess.Sync()
}

// numbered counts the blocks that got a number.
func (r *repl) numbered() int {
	n := 0
	for _, b := range r.blocks {
		if b.n > 0 {
			n++
		}
	}
	return n
}

// plural writes a count and a noun: "1 probe", "2 probes", "0 entries".
func plural(n int, what string) string {
	switch {
	case n == 1:
		return "1 " + what
	case strings.HasSuffix(what, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(what, "y"))
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// mapCommand prints, clears or zeroes a live map.
func (r *repl) mapCommand(c string, args []string) {
	name := args[0]
	if c != "print" && len(args) > 1 {
		fmt.Fprintf(r.stderr, "%s takes one map\n", c)
		return
	}
	if len(args) > 3 {
		fmt.Fprintln(r.stderr, "print takes a map, then top and div")
		return
	}
	var err error
	switch c {
	case "clear":
		err = r.sess.Clear(name)
	case "zero":
		err = r.sess.Zero(name)
	case "print":
		err = r.printMap(name, args[1:])
	}
	if err != nil {
		fmt.Fprintf(r.stderr, "gbt: %v\n", err)
	}
}

// printMap prints a live map as print(@x, top, div) does, after the
// events already sent.
func (r *repl) printMap(name string, args []string) error {
	var opts runtime.PrintOpts
	for i, a := range args {
		n, err := strconv.ParseUint(a, 0, 64)
		if err != nil {
			return fmt.Errorf("print: %q is not a non-negative integer", a)
		}
		if i == 0 {
			opts.Top = n
		} else {
			opts.Div = n
		}
	}
	r.sess.Sync()
	m, err := r.sess.ReadMap(name)
	if err != nil {
		return err
	}
	ctx, done := r.command()
	defer done()
	w := &stopWriter{ctx: ctx, w: r.output}
	var out runtime.Output = runtime.NewText(w, r.stderr)
	if r.o.format == "json" {
		out = runtime.NewJSON(w)
	}
	out.Map(m, opts)
	if err := out.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// stopWriter writes line by line until its context is cancelled (Ctrl-C
// during a long print), then drops the rest.
type stopWriter struct {
	ctx context.Context
	w   io.Writer
}

func (s *stopWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if err := s.ctx.Err(); err != nil {
			return n, err
		}
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line = p[:i+1]
		}
		m, err := s.w.Write(line)
		n += m
		if err != nil {
			return n, err
		}
		p = p[len(line):]
	}
	return n, nil
}

// maps lists the live maps with their types and entry counts.
func (r *repl) maps() {
	sums, err := r.sess.Maps()
	if err != nil {
		fmt.Fprintf(r.stderr, "gbt: %v\n", err)
		return
	}
	if len(sums) == 0 {
		fmt.Fprintln(r.stderr, "no maps yet")
		return
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 8, 2, ' ', 0)
	for _, s := range sums {
		name := s.Name
		if s.Key != "" {
			name += "[" + s.Key + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, s.Value, plural(s.Entries, "entry"))
	}
	tw.Flush()
}

// probes lists the attached blocks.
func (r *repl) probes() {
	any := false
	for _, b := range r.blocks {
		if b.n == 0 || b.detached {
			continue
		}
		any = true
		line := fmt.Sprintf("[%d] %s", b.n, strings.Join(strings.Fields(b.text), " "))
		if b.programs > 1 {
			line += fmt.Sprintf("  (%d probes)", b.programs)
		}
		fmt.Fprintln(r.stdout, line)
	}
	if !any {
		fmt.Fprintln(r.stderr, "no probes attached")
	}
}

// detach detaches the block numbered arg.
func (r *repl) detach(arg string) {
	n, err := strconv.Atoi(arg)
	var b *replBlock
	for _, x := range r.blocks {
		if err == nil && x.n == n && !x.detached {
			b = x
		}
	}
	if b == nil {
		fmt.Fprintf(r.stderr, "no attached block %q (see .probes)\n", arg)
		return
	}
	if err := r.sess.Detach(b.live); err != nil {
		fmt.Fprintf(r.stderr, "gbt: %v\n", err)
	}
	b.detached = true
	fmt.Fprintf(r.stderr, "[%d] detached\n", b.n)
}

// stop detaches every block.
func (r *repl) stop() {
	if err := r.sess.Stop(); err != nil {
		fmt.Fprintf(r.stderr, "gbt: %v\n", err)
	}
	n := 0
	for _, b := range r.blocks {
		if b.n > 0 && !b.detached {
			b.detached = true
			n++
		}
	}
	fmt.Fprintf(r.stderr, "detached %s\n", plural(n, "block"))
}

// save writes the attached blocks to a file as a script.
func (r *repl) save(file string) {
	if file == "" {
		fmt.Fprintln(r.stderr, "usage: .save FILE")
		return
	}
	if err := os.WriteFile(file, []byte(script(r.blocks)), 0o644); err != nil {
		fmt.Fprintf(r.stderr, "gbt: %v\n", err)
		return
	}
	fmt.Fprintf(r.stderr, "saved to %s\n", file)
}

// shell runs a command through /bin/sh and waits for it; Ctrl-C stops it.
// Its events are printed before the next prompt.
func (r *repl) shell(command string) {
	if command == "" {
		fmt.Fprintln(r.stderr, "usage: !CMD")
		return
	}
	ctx, done := r.command()
	defer done()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	if r.term != nil {
		// The terminal is not in raw mode outside readline.
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	}
	if err := cmd.Run(); err != nil {
		// Ctrl-C reaches the command from the terminal too, so it may die
		// of SIGINT before the context is cancelled.
		var ee *exec.ExitError
		if ctx.Err() != nil || errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(r.stderr, "gbt: %s: %v\n", command, err)
	}
	r.sess.Sync()
}
