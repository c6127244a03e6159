package runtime

import (
	"io"
	"strconv"
)

// Output is where a running program's output goes: printf text, print()
// of maps and values, the maps at exit and the runtime's notices. TextOutput
// writes bpftrace 0.17's text; JSONOutput writes its `-f json` lines. Each
// call writes whole lines with one Write, so an Output over a file (-o FILE)
// or a pipe interleaves cleanly with other writers. Outputs are not safe
// for concurrent use: the event loop owns one.
type Output interface {
	Printf(s string)            // printf(): the formatted text (see Sprintf)
	Time(s string)              // time(): the formatted time
	Cat(s string)               // cat(): the file's contents
	Syscall(s string)           // system(): the command's output
	Join(s string)              // join(): the joined arguments, without a newline
	Value(v Value)              // print(value)
	Map(m *Map, opts PrintOpts) // print(@m[, top[, div]]) during the run
	Exit(maps []*Map)           // at exit: two newlines, then every map in name order
	AttachedProbes(n int)       // once the probes are attached
	LostEvents(n uint64)        // events the ring buffer dropped
	Err() error                 // the first write error, if any
}

// TextOutput writes bpftrace 0.17's text output to w. The attach notice,
// which current bpftrace writes to stderr, goes to diag.
type TextOutput struct {
	w, diag io.Writer
	buf     []byte
	err     error
}

// NewText returns an Output that writes text to w and notices to diag.
func NewText(w, diag io.Writer) *TextOutput { return &TextOutput{w: w, diag: diag} }

func (o *TextOutput) write(w io.Writer) {
	if len(o.buf) > 0 && o.err == nil {
		_, o.err = w.Write(o.buf)
	}
	o.buf = o.buf[:0]
}

func (o *TextOutput) raw(s string) {
	if o.err == nil && s != "" {
		_, o.err = io.WriteString(o.w, s)
	}
}

func (o *TextOutput) Printf(s string)  { o.raw(s) }
func (o *TextOutput) Time(s string)    { o.raw(s) }
func (o *TextOutput) Cat(s string)     { o.raw(s) }
func (o *TextOutput) Syscall(s string) { o.raw(s) }

func (o *TextOutput) Join(s string) {
	o.buf = append(append(o.buf, s...), '\n')
	o.write(o.w)
}

func (o *TextOutput) Value(v Value) {
	o.buf = append(appendText(o.buf, v, valueIndent), '\n')
	o.write(o.w)
}

func (o *TextOutput) Map(m *Map, opts PrintOpts) {
	o.buf = appendMapText(o.buf, m, opts)
	o.write(o.w)
}

func (o *TextOutput) Exit(maps []*Map) {
	o.buf = append(o.buf, "\n\n"...)
	for _, m := range sortMapsByName(maps) {
		o.buf = appendMapText(o.buf, m, PrintOpts{})
	}
	o.write(o.w)
}

// AttachedProbes writes "Attached N probes" to diag, as current bpftrace
// does (0.17 wrote "Attaching N probes..." to stdout before attaching).
func (o *TextOutput) AttachedProbes(n int) {
	o.buf = append(o.buf, "Attached "...)
	o.buf = strconv.AppendInt(o.buf, int64(n), 10)
	o.buf = append(o.buf, " probe"...)
	if n != 1 {
		o.buf = append(o.buf, 's')
	}
	o.buf = append(o.buf, '\n')
	o.write(o.diag)
}

func (o *TextOutput) LostEvents(n uint64) {
	o.buf = append(o.buf, "Lost "...)
	o.buf = strconv.AppendUint(o.buf, n, 10)
	o.buf = append(o.buf, " events\n"...)
	o.write(o.w)
}

func (o *TextOutput) Err() error { return o.err }
