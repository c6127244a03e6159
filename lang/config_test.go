package lang

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveSettings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		env  map[string]string
		want Settings
		err  string
	}{
		{name: "defaults", src: `BEGIN { exit(); }`, want: DefaultSettings},
		{name: "config block",
			src:  `config = { max_strlen = 200; BPFTRACE_MAX_MAP_KEYS = 10; print_maps_on_exit = false; perf_rb_pages = 8 } BEGIN { exit(); }`,
			want: Settings{MaxStrLen: 200, MaxMapKeys: 10, PerfRbPages: 8, PrintMapsOnExit: false}},
		{name: "environment wins",
			src:  `config = { max_strlen = 200 } BEGIN { exit(); }`,
			env:  map[string]string{"BPFTRACE_MAX_STRLEN": "1024", "BPFTRACE_PRINT_MAPS_ON_EXIT": "0"},
			want: Settings{MaxStrLen: 1024, MaxMapKeys: 4096, PerfRbPages: 256}},
		{name: "older spellings",
			src:  `BEGIN { exit(); }`,
			env:  map[string]string{"BPFTRACE_STRLEN": "100", "BPFTRACE_MAP_KEYS_MAX": "7"},
			want: Settings{MaxStrLen: 100, MaxMapKeys: 7, PerfRbPages: 256, PrintMapsOnExit: true}},
		{name: "bad config value",
			src: `config = { max_strlen = 5000 } BEGIN { exit(); }`,
			err: "1:12-29: ERROR: max_strlen must be between 1 and 1024, not 5000"},
		{name: "bad config type",
			src: `config = { print_maps_on_exit = "maybe" } BEGIN { exit(); }`,
			err: `print_maps_on_exit expects true or false, not "maybe"`},
		{name: "bad environment value",
			src: `BEGIN { exit(); }`,
			env: map[string]string{"BPFTRACE_MAX_MAP_KEYS": "lots"},
			err: `BPFTRACE_MAX_MAP_KEYS expects an integer, not "lots"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prog, err := Parse("test.bt", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ResolveSettings(prog, func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("settings (-want +got):\n%s", d)
			}
		})
	}
}
