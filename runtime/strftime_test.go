package runtime

import (
	"encoding/binary"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbt-project/gbt/codegen"
)

func TestStrftime(t *testing.T) {
	at := time.Date(2026, time.March, 7, 14, 5, 9, 123456789, time.UTC)
	tests := []struct{ format, want string }{
		{"%H:%M:%S\n", "14:05:09\n"},
		{"%Y-%m-%d %H:%M:%S.%f", "2026-03-07 14:05:09.123456"},
		{"%a %A %b %B %y %C %j", "Sat Saturday Mar March 26 20 066"},
		{"%e|%k|%l|%I %p %P", " 7|14| 2|02 PM pm"},
		{"%D %F %R %T %r", "03/07/26 2026-03-07 14:05 14:05:09 02:05:09 PM"},
		{"%c", "Sat Mar  7 14:05:09 2026"},
		{"%s %z %Z", "1772892309 +0000 UTC"},
		{"%u %w %U %W %V %G %g", "6 6 09 09 10 2026 26"},
		{"100%% %n%t|%Ey %Od", "100% \n\t|26 07"},
		{"%q and a trailing %", "%q and a trailing %"},
	}
	for _, tt := range tests {
		if got := Strftime(tt.format, at); got != tt.want {
			t.Errorf("Strftime(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

// The boot offset turns bpf_ktime_get_ns's clock (CLOCK_MONOTONIC) into
// wall-clock time: a timestamp taken now prints as now.
func TestTimestampIsWallClock(t *testing.T) {
	d := &decoder{obj: &codegen.Object{TimeFormats: []string{"%s"}}, boot: bootOffset()}
	var mono unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono); err != nil {
		t.Fatal(err)
	}
	var ts [codegen.TimestampSize]byte
	binary.NativeEndian.PutUint64(ts[:], uint64(mono.Nano()))
	got, err := strconv.ParseInt(d.timestamp(ts[:]).Str, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if now := time.Now().Unix(); got < now-2 || got > now {
		t.Errorf("a timestamp of now prints as %d, now is %d", got, now)
	}
}
