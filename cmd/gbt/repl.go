package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/chzyer/readline"

	"github.com/gbt-project/gbt/codegen"
	"github.com/gbt-project/gbt/runtime"
	"github.com/gbt-project/gbt/stdlib"
)

// The REPL: `gbt` with no script on a terminal, or `gbt repl`. Each probe
// block typed is compiled, loaded and attached at once (repl_program.go);
// commands act on the live session (repl_commands.go). On a terminal it
// reads lines with chzyer/readline: a ">>> " prompt, "... " until the
// braces balance, completion (repl_complete.go) and history in
// ~/.gbt_history; event output goes through readline's writer, which
// redraws the prompt under it. With -o FILE the session's output (printf,
// maps, print @x) goes to FILE, as a script's does; prompts, messages and
// the listings of commands stay on the terminal. Ctrl-C clears the line being typed, or
// stops the command running (a long print, a !command); it never detaches
// anything. Ctrl-D ends the session and prints the maps as a script does
// at exit; so do .quit, a program's exit() and SIGTERM. When the input is
// not a terminal no prompt is written, so that a piped session's output
// is exact; its end ends the session, and so does Ctrl-C when no command
// runs.

const (
	promptFirst = ">>> "
	promptMore  = "... "
	historyName = ".gbt_history"
)

// repl is one interactive session.
type repl struct {
	o      *options
	sess   *runtime.Session
	blocks []*replBlock
	host   codegen.Options // hostOptions, made once for the session
	stdout io.Writer       // command results
	output io.Writer       // the session's output (printf, maps): stdout, or -o's file
	stderr io.Writer       // messages and errors
	term   *readline.Instance

	mu      sync.Mutex
	cancel  context.CancelFunc // stops the command running, for Ctrl-C
	pending []string           // the lines of a block not complete yet, for completion
}

// lineResult is one line read, or why none was.
type lineResult struct {
	line string
	err  error // io.EOF at the end; readline.ErrInterrupt for Ctrl-C
}

// runREPL runs a session on stdin, returning the exit status.
func runREPL(o *options, stdin io.Reader, stdout, stderr io.Writer) int {
	r := &repl{o: o, stdout: stdout, stderr: stderr}
	r.host = hostOptions(o, func(format string, args ...any) {
		if o.verbose {
			fmt.Fprintf(r.stderr, "gbt: "+format+"\n", args...)
		}
	})
	var read func(prompt string) (string, error)
	if isTerminal(stdin) {
		rl, err := readline.NewEx(&readline.Config{
			Prompt:          promptFirst,
			HistoryFile:     historyFile(),
			AutoComplete:    &completer{r: r},
			InterruptPrompt: "^C",
			Stdout:          stdout,
			Stderr:          stderr,
		})
		if err != nil {
			fmt.Fprintf(stderr, "gbt: %v\n", err)
			return 1
		}
		r.term = rl
		r.stdout, r.stderr = rl.Stdout(), rl.Stderr()
		read = func(prompt string) (string, error) {
			rl.SetPrompt(prompt)
			return rl.Readline()
		}
		fmt.Fprintln(r.stdout, "gbt "+version+": type a probe block to attach it, .help for help, Ctrl-D to end")
	} else {
		in := bufio.NewReader(stdin)
		read = func(string) (string, error) {
			line, err := in.ReadString('\n')
			if err == io.EOF && line != "" {
				err = nil
			}
			return strings.TrimSuffix(line, "\n"), err
		}
	}
	r.output = r.stdout
	if o.output != "" {
		f, err := os.Create(o.output)
		if err != nil {
			fmt.Fprintf(r.stderr, "gbt: %v\n", err)
			if r.term != nil {
				r.term.Close()
			}
			return 1
		}
		defer f.Close()
		r.output = f
	}
	var out runtime.Output = runtime.NewText(r.output, r.stderr)
	if o.format == "json" {
		out = runtime.NewJSON(r.output)
	}
	sopts := runtime.SessionOptions{Out: out, Stderr: r.stderr, Verbose: o.verbose}
	if !o.quiet {
		sopts.Attached = func(programs int) {
			fmt.Fprintf(r.stderr, "[%d] attached %s\n", r.numbered()+1, plural(programs, "probe"))
		}
	}
	r.sess = runtime.NewSession(sopts)
	return r.loop(read)
}

// isTerminal reports whether r is a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}

// historyFile is ~/.gbt_history, or "" (no history) without a home.
func historyFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, historyName)
}

// loop reads and runs input until the end of the input, .quit, a
// program's exit() or SIGTERM, then ends the session.
func (r *repl) loop(read func(prompt string) (string, error)) int {
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	defer signal.Stop(interrupts)
	defer signal.Stop(terms)
	// Ctrl-C stops the command running. When the input is not a terminal
	// and no command runs, it ends the session, as it ends a script.
	ends := make(chan struct{}, 1)
	go func() {
		for range interrupts {
			if !r.interrupt() && r.term == nil {
				select {
				case ends <- struct{}{}:
				default:
				}
			}
		}
	}()

	// Lines are read on their own goroutine so that exit() and SIGTERM
	// end the session while a line is being typed.
	prompts := make(chan string)
	lines := make(chan lineResult, 1)
	go func() {
		for p := range prompts {
			line, err := read(p)
			lines <- lineResult{line, err}
		}
	}()
	defer close(prompts)

	var pending []string // the lines of a block not complete yet
	for {
		select {
		case <-r.sess.Done():
			return r.end()
		default:
		}
		r.setPending(pending)
		prompt := promptFirst
		if len(pending) > 0 {
			prompt = promptMore
		}
		prompts <- prompt
		var res lineResult
		select {
		case res = <-lines:
		case <-r.sess.Done():
			return r.end()
		case <-terms:
			return r.end()
		case <-ends:
			return r.end()
		}
		switch {
		case errors.Is(res.err, readline.ErrInterrupt):
			pending = nil
			continue
		case res.err != nil:
			if len(pending) > 0 {
				r.run(strings.Join(pending, "\n"))
			}
			return r.end()
		}
		pending = append(pending, res.line)
		text := strings.Join(pending, "\n")
		if !complete(text) {
			continue
		}
		pending = nil
		if quit := r.run(text); quit {
			return r.end()
		}
	}
}

// end closes the session, printing the maps, and returns the exit status.
func (r *repl) end() int {
	code, err := r.sess.Close()
	if err != nil {
		fmt.Fprintf(r.stderr, "gbt: %v\n", err)
		code = 1
	}
	if r.term != nil {
		r.term.Close()
	}
	return code
}

// command returns the context of a command, which Ctrl-C cancels, and
// the function that ends it.
func (r *repl) command() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	r.mu.Lock()
	r.cancel = cancel
	r.mu.Unlock()
	return ctx, func() {
		r.mu.Lock()
		r.cancel = nil
		r.mu.Unlock()
		cancel()
	}
}

// setPending records the lines typed so far of an incomplete block.
func (r *repl) setPending(lines []string) {
	r.mu.Lock()
	r.pending = append(r.pending[:0], lines...)
	r.mu.Unlock()
}

// pendingText returns the lines typed so far of an incomplete block, each
// with its newline.
func (r *repl) pendingText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, l := range r.pending {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// interrupt stops the command running, if any, and reports whether one
// was.
func (r *repl) interrupt() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel == nil {
		return false
	}
	r.cancel()
	return true
}

// complete reports whether text is a whole entry: a command, a preamble
// line, or a block whose braces balance. A line that starts a probe
// (its kind, a list of probes, a predicate) waits for its block.
func complete(text string) bool {
	t := strings.TrimSpace(text)
	if t == "" || isCommand(t) || strings.HasPrefix(t, "#") {
		return true
	}
	depth, opened := braces(t)
	if opened {
		return depth <= 0
	}
	return !startsProbe(t)
}

// startsProbe reports whether t, which has no '{' yet, looks like the start
// of a probe block: it begins with a probe kind, or ends with ',' or a
// predicate.
func startsProbe(t string) bool {
	if strings.HasSuffix(t, ",") || strings.HasSuffix(t, "/") {
		return true
	}
	word := t
	if i := strings.IndexAny(word, ": \t\n,"); i >= 0 {
		word = word[:i]
	}
	return stdlib.ProbeKind(word) != nil
}

// braces counts the braces of t outside strings, characters and comments:
// the depth at the end, and whether any opened.
func braces(t string) (depth int, opened bool) {
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '"' || c == '\'':
			for i++; i < len(t) && t[i] != c; i++ {
				if t[i] == '\\' {
					i++
				}
			}
		case strings.HasPrefix(t[i:], "//"):
			for i < len(t) && t[i] != '\n' {
				i++
			}
		case strings.HasPrefix(t[i:], "/*"):
			end := strings.Index(t[i+2:], "*/")
			if end < 0 {
				return depth, opened
			}
			i += end + 3
		case c == '{':
			depth++
			opened = true
		case c == '}':
			depth--
		}
	}
	return depth, opened
}
