package runtime

import (
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Strftime formats t with a C strftime(3) format, as bpftrace's time() and
// strftime() do, in the local time zone. It supports the C99 conversions
// plus bpftrace's %f (microseconds, six digits); an unknown conversion is
// written as it is.
func Strftime(format string, t time.Time) string {
	var b []byte
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		// The E and O modifiers select alternative representations,
		// which the C locale does not have.
		if (format[i] == 'E' || format[i] == 'O') && i+1 < len(format) {
			i++
		}
		b = appendConversion(b, format[i], t)
	}
	return string(b)
}

var (
	shortDays   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	shortMonths = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// appendConversion appends one %c conversion.
func appendConversion(b []byte, c byte, t time.Time) []byte {
	pad := func(n, width int, fill byte) []byte {
		s := strconv.Itoa(n)
		for len(s) < width {
			s = string(fill) + s
		}
		return append(b, s...)
	}
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch c {
	case 'a':
		return append(b, shortDays[t.Weekday()]...)
	case 'A':
		return append(b, t.Weekday().String()...)
	case 'b', 'h':
		return append(b, shortMonths[t.Month()-1]...)
	case 'B':
		return append(b, t.Month().String()...)
	case 'c':
		return append(b, Strftime("%a %b %e %H:%M:%S %Y", t)...)
	case 'C':
		return pad(t.Year()/100, 2, '0')
	case 'd':
		return pad(t.Day(), 2, '0')
	case 'D':
		return append(b, Strftime("%m/%d/%y", t)...)
	case 'e':
		return pad(t.Day(), 2, ' ')
	case 'f':
		return pad(t.Nanosecond()/1000, 6, '0')
	case 'F':
		return append(b, Strftime("%Y-%m-%d", t)...)
	case 'g':
		y, _ := t.ISOWeek()
		return pad(y%100, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		return strconv.AppendInt(b, int64(y), 10)
	case 'H':
		return pad(t.Hour(), 2, '0')
	case 'I':
		return pad(hour12, 2, '0')
	case 'j':
		return pad(t.YearDay(), 3, '0')
	case 'k':
		return pad(t.Hour(), 2, ' ')
	case 'l':
		return pad(hour12, 2, ' ')
	case 'm':
		return pad(int(t.Month()), 2, '0')
	case 'M':
		return pad(t.Minute(), 2, '0')
	case 'n':
		return append(b, '\n')
	case 'p':
		if t.Hour() < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case 'P':
		if t.Hour() < 12 {
			return append(b, "am"...)
		}
		return append(b, "pm"...)
	case 'r':
		return append(b, Strftime("%I:%M:%S %p", t)...)
	case 'R':
		return append(b, Strftime("%H:%M", t)...)
	case 's':
		return strconv.AppendInt(b, t.Unix(), 10)
	case 'S':
		return pad(t.Second(), 2, '0')
	case 't':
		return append(b, '\t')
	case 'T', 'X':
		return append(b, Strftime("%H:%M:%S", t)...)
	case 'u':
		return pad((int(t.Weekday())+6)%7+1, 1, '0')
	case 'U':
		return pad((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
	case 'V':
		_, w := t.ISOWeek()
		return pad(w, 2, '0')
	case 'w':
		return pad(int(t.Weekday()), 1, '0')
	case 'W':
		return pad((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 'x':
		return append(b, Strftime("%m/%d/%y", t)...)
	case 'y':
		return pad(t.Year()%100, 2, '0')
	case 'Y':
		return strconv.AppendInt(b, int64(t.Year()), 10)
	case 'z':
		return append(b, t.Format("-0700")...)
	case 'Z':
		return append(b, t.Format("MST")...)
	case '%':
		return append(b, '%')
	}
	return append(b, '%', c)
}

// bootOffset returns what to add to a CLOCK_MONOTONIC reading (the clock of
// bpf_ktime_get_ns and of `nsecs`) to get nanoseconds since the Unix epoch.
// It is measured on this host at start, never stored in an Object.
func bootOffset() int64 {
	var ts unix.Timespec
	before := time.Now()
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return before.UnixNano() - ts.Nano()
}
