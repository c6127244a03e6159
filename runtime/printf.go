package runtime

import (
	"strconv"
	"strings"
	"sync"

	"github.com/gbt-project/gbt/stdlib"
)

// Format is a printf format parsed once into literal text and conversions,
// so that formatting an event is a single pass over precomputed segments.
// The conversions are those of stdlib.ParseFormat (the checker's view of
// the same format), so both agree on which argument each one takes.
type Format struct {
	segs  []fmtSeg
	tail  string // literal text after the last conversion
	nargs int
}

// fmtSeg is the literal text before one conversion, and the conversion.
type fmtSeg struct {
	lit  string
	conv byte // 'd' (also for 'i'), 'u', 'x', 'X', 'o', 'c', 'p', 's', 'r'
	sub  byte // %rx and %rh: 'x' or 'h'
	fl   fmtFlags
	wid  int
	prec int // -1: none
	size int // integer conversions: bytes the length modifier reads (none: 4, as C's int)
}

type fmtFlags uint8

// flagChars lists the flag characters in the order of the fmtFlags bits.
const flagChars = "-+ 0#"

const (
	flagMinus fmtFlags = 1 << iota
	flagPlus
	flagSpace
	flagZero
	flagHash
)

// maxPad bounds widths and precisions so that a hostile format cannot make
// one event allocate without limit.
const maxPad = 4096

// NewFormat parses a printf format whose escapes the parser has already
// resolved. "%%" is a literal percent sign.
func NewFormat(format string) (*Format, error) {
	verbs, err := stdlib.ParseFormat(format)
	if err != nil {
		return nil, err
	}
	f := &Format{nargs: len(verbs)}
	pos := 0
	for _, v := range verbs {
		s := fmtSeg{lit: unescapePercent(format[pos:v.Start]), conv: v.Conv[0], wid: atoiPad(v.Width), prec: -1, size: 4}
		if len(v.Conv) > 1 {
			s.sub = v.Conv[1]
		}
		if s.conv == 'i' {
			s.conv = 'd'
		}
		if v.HasPrec {
			s.prec = atoiPad(v.Prec)
		}
		for i := 0; i < len(v.Flags); i++ {
			s.fl |= fmtFlags(1) << strings.IndexByte(flagChars, v.Flags[i])
		}
		switch v.Length {
		case "hh":
			s.size = 1
		case "h":
			s.size = 2
		case "l", "ll", "j", "z", "t":
			s.size = 8
		}
		f.segs = append(f.segs, s)
		pos = v.End
	}
	f.tail = unescapePercent(format[pos:])
	return f, nil
}

// NumArgs returns how many arguments the format consumes.
func (f *Format) NumArgs() int { return f.nargs }

func unescapePercent(s string) string {
	if !strings.Contains(s, "%%") {
		return s
	}
	return strings.ReplaceAll(s, "%%", "%")
}

func atoiPad(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return min(n, maxPad)
}

// Append formats args as C's printf does in bpftrace's user space and
// appends the result to b. Integers are 64-bit values (sign- or
// zero-extended from their width) that the conversion's length modifier
// truncates: %d reads an int, %lu an unsigned long, %hhx an unsigned char.
// Missing arguments format as zero values; extra ones are ignored.
func (f *Format) Append(b []byte, args []Value) []byte {
	for i := range f.segs {
		s := &f.segs[i]
		b = append(b, s.lit...)
		var arg Value
		if i < len(args) {
			arg = args[i]
		}
		b = s.appendArg(b, arg)
	}
	return append(b, f.tail...)
}

var formatCache sync.Map // format string -> *Format or error

// Sprintf formats args with a printf format. Parsed formats are cached, so
// calling it per event costs one map lookup. A malformed format (which the
// checker rejects before a program runs) is returned as it is.
func Sprintf(format string, args []Value) string {
	var f *Format
	if c, ok := formatCache.Load(format); ok {
		f, _ = c.(*Format)
	} else {
		var err error
		f, err = NewFormat(format)
		if err != nil {
			formatCache.Store(format, err)
		} else {
			formatCache.Store(format, f)
		}
	}
	if f == nil {
		return format
	}
	return string(f.Append(make([]byte, 0, len(format)+16*len(args)), args))
}

func (s *fmtSeg) appendArg(b []byte, v Value) []byte {
	switch s.conv {
	case 's':
		var tmp [64]byte
		t := appendText(tmp[:0], v, valueIndent)
		if s.prec >= 0 && s.prec < len(t) {
			t = t[:s.prec]
		}
		return s.pad(b, nil, t)
	case 'r':
		var tmp [64]byte
		return s.pad(b, nil, appendBuffer(tmp[:0], v.Str, s.sub))
	case 'c':
		return s.pad(b, nil, []byte{byte(v.Bits)})
	case 'p':
		if v.Bits == 0 {
			return s.pad(b, nil, []byte("(nil)"))
		}
		var tmp [24]byte
		return s.padNum(b, []byte("0x"), strconv.AppendUint(tmp[:0], v.Bits, 16))
	}
	return s.appendInt(b, v.Bits)
}

// appendInt formats an integer conversion: d, u, x, X, o.
func (s *fmtSeg) appendInt(b []byte, bits uint64) []byte {
	shift := uint(64 - 8*s.size)
	var mag uint64
	var prefix []byte
	if s.conv == 'd' {
		n := int64(bits<<shift) >> shift
		mag = uint64(n)
		switch {
		case n < 0:
			mag = -mag
			prefix = []byte{'-'}
		case s.fl&flagPlus != 0:
			prefix = []byte{'+'}
		case s.fl&flagSpace != 0:
			prefix = []byte{' '}
		}
	} else {
		mag = bits << shift >> shift
	}
	var tmp [24]byte
	var digits []byte
	switch s.conv {
	case 'x', 'X':
		digits = strconv.AppendUint(tmp[:0], mag, 16)
		if s.conv == 'X' {
			for i, c := range digits {
				if c >= 'a' {
					digits[i] = c - 'a' + 'A'
				}
			}
		}
		if s.fl&flagHash != 0 && mag != 0 {
			prefix = []byte{'0', s.conv}
		}
	case 'o':
		digits = strconv.AppendUint(tmp[:0], mag, 8)
	default:
		digits = strconv.AppendUint(tmp[:0], mag, 10)
	}
	if s.prec == 0 && mag == 0 {
		digits = digits[:0]
	}
	if s.prec > len(digits) {
		z := make([]byte, s.prec-len(digits), s.prec)
		for i := range z {
			z[i] = '0'
		}
		digits = append(z, digits...)
	}
	if s.conv == 'o' && s.fl&flagHash != 0 && (len(digits) == 0 || digits[0] != '0') {
		digits = append([]byte{'0'}, digits...)
	}
	if s.prec >= 0 {
		return s.pad(b, prefix, digits)
	}
	return s.padNum(b, prefix, digits)
}

// padNum pads a number to the width, with zeros after the sign or prefix
// when the 0 flag asks for it.
func (s *fmtSeg) padNum(b, prefix, digits []byte) []byte {
	n := len(prefix) + len(digits)
	if s.fl&flagZero == 0 || s.fl&flagMinus != 0 || n >= s.wid {
		return s.pad(b, prefix, digits)
	}
	b = append(b, prefix...)
	for ; n < s.wid; n++ {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// pad writes prefix+text padded with spaces to the width, on the left or,
// with the - flag, on the right.
func (s *fmtSeg) pad(b, prefix, text []byte) []byte {
	fill := s.wid - len(prefix) - len(text)
	if s.fl&flagMinus == 0 {
		for ; fill > 0; fill-- {
			b = append(b, ' ')
		}
	}
	b = append(b, prefix...)
	b = append(b, text...)
	for ; fill > 0; fill-- {
		b = append(b, ' ')
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendBuffer renders buffer bytes: %r (mode 0) keeps printable ASCII and
// writes other bytes as \xNN; %rx (mode 'x') writes every byte as \xNN;
// %rh (mode 'h') writes hex bytes separated by spaces.
func appendBuffer(b []byte, s string, mode byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case mode == 'h':
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, hexDigits[c>>4], hexDigits[c&15])
		case mode == 0 && c >= 0x20 && c < 0x7f:
			b = append(b, c)
		default:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return b
}
