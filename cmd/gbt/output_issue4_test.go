package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// namedWorkload copies the workload to a private directory under name, so
// that a script filtering on comm == name counts this test's calls only,
// even while other tests run the workload.
func namedWorkload(t *testing.T, name string) string {
	t.Helper()
	if !kernelTests() {
		t.Skip("needs root to load BPF programs")
	}
	src, err := os.ReadFile(workload(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, src, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// gbt runs the command line in-process and returns its standard output,
// failing the test on a non-zero exit status.
func gbt(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("gbt %q: exit status %d\nstdout:\n%s\nstderr:\n%s", args, code, &stdout, &stderr)
	}
	return stdout.String()
}

// TestLostEvents floods a 4 KiB ring buffer with printf: each of 50
// getppid calls sends 100 records of 72 bytes (7200 bytes), more than the
// buffer holds, so records are lost while user space reads. Every record
// must be either printed or counted as lost, and the count reported.
func TestLostEvents(t *testing.T) {
	wl := namedWorkload(t, "lostload")
	const calls, perCall = 50, 100
	script := fmt.Sprintf(`config = { perf_rb_pages = 1 }
tracepoint:syscalls:sys_enter_getppid /comm == "lostload"/ {
	unroll(%d) { printf("%%d %%d %%d %%d %%d %%d %%d %%d\n", 1, 2, 3, 4, 5, 6, 7, 8); }
}`, perCall)
	command := fmt.Sprintf("%s getppid %d", wl, calls)

	t.Run("text", func(t *testing.T) {
		out := gbt(t, "-q", "-e", script, "-c", command)
		printed := strings.Count(out, "1 2 3 4 5 6 7 8\n")
		m := regexp.MustCompile(`(?m)^Lost (\d+) events$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no \"Lost N events\" line after %d of %d records:\n%s", printed, calls*perCall, tail(out))
		}
		lost, _ := strconv.Atoi(m[1])
		if printed+lost != calls*perCall || lost == 0 {
			t.Errorf("%d records printed and %d lost, want %d in all with some lost", printed, lost, calls*perCall)
		}
	})
	t.Run("json", func(t *testing.T) {
		lines := jsonLines(t, gbt(t, "-q", "-f", "json", "-e", script, "-c", command))
		printed, lost := 0, -1
		for _, l := range lines {
			switch l.Type {
			case "printf":
				printed++
			case "lost_events":
				var d struct{ Events int }
				if err := json.Unmarshal(l.Data, &d); err != nil {
					t.Fatal(err)
				}
				lost = d.Events
			}
		}
		if lost <= 0 || printed+lost != calls*perCall {
			t.Errorf("%d printf lines and lost_events %d, want %d in all with some lost", printed, lost, calls*perCall)
		}
	})
}

func tail(s string) string {
	if len(s) > 400 {
		return "..." + s[len(s)-400:]
	}
	return s
}

// jsonLine is one line of -f json output.
type jsonLine struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// jsonLines parses -f json output with encoding/json, line by line, and
// also has jq read it whole (when jq is installed; CI installs it). Empty
// lines (before the maps at exit, as bpftrace writes them) are skipped.
func jsonLines(t *testing.T, out string) []jsonLine {
	t.Helper()
	var lines []jsonLine
	for i, text := range strings.Split(out, "\n") {
		if text == "" {
			continue
		}
		var l jsonLine
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("line %d is not a JSON object {type, data}: %v\n%s", i+1, err, text)
		}
		lines = append(lines, l)
	}
	if jq, err := exec.LookPath("jq"); err == nil {
		cmd := exec.Command(jq, "-c", ".type")
		cmd.Stdin = strings.NewReader(out)
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("jq rejects the output: %v", err)
		}
		if n := strings.Count(string(got), "\n"); n != len(lines) {
			t.Errorf("jq read %d objects, encoding/json %d", n, len(lines))
		}
	} else if os.Getenv("GBT_KERNEL_TESTS") == "1" {
		t.Errorf("jq is not installed: %v", err)
	}
	return lines
}

// TestJSONEveryKind runs a script that produces every kind of -f json
// output and checks each line's parsed content.
func TestJSONEveryKind(t *testing.T) {
	wl := namedWorkload(t, "jsonload")
	script := `tracepoint:syscalls:sys_enter_getppid /comm == "jsonload"/ {
	@n++;
	@c[@n % 2] = count();
	@h = hist(@n);
	@l = lhist(@n, 0, 10, 5);
	@s = stats(@n);
	@a = avg(@n);
	@t[@n % 2, "k"] = (@n, "v");
	if (@n == 6) {
		printf("n=%d\n", @n);
		print(@n * 2);
		print((1, "two"));
		print(@c, 1);
		time("%Y");
	}
}`
	lines := jsonLines(t, gbt(t, "-f", "json", "-e", script, "-c", wl+" getppid 6"))
	var got []string
	for _, l := range lines {
		got = append(got, l.Type+" "+compact(t, l.Data))
	}
	year := fmt.Sprintf("%q", strings.TrimSpace(gbtYear()))
	want := []string{
		`attached_probes {"probes":1}`,
		`printf "n=6\n"`,
		`value 12`,
		`value [1,"two"]`,
		`map {"@c":{"1":3}}`,
		`time ` + year,
		`stats {"@a":3}`,
		`map {"@c":{"0":3,"1":3}}`,
		`hist {"@h":[{"count":1,"max":1,"min":1},{"count":2,"max":3,"min":2},{"count":3,"max":7,"min":4}]}`,
		`hist {"@l":[{"count":4,"max":4,"min":0},{"count":2,"max":9,"min":5}]}`,
		`map {"@n":6}`,
		`stats {"@s":{"average":3,"count":6,"total":21}}`,
		`map {"@t":{"0,k":[6,"v"],"1,k":[5,"v"]}}`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("JSON lines (-want +got):\n%s", d)
	}
}

// compact re-encodes JSON with sorted keys and no spaces.
func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// gbtYear is the year time("%Y") prints now.
func gbtYear() string {
	out, _ := exec.Command("date", "+%Y").Output()
	return string(out)
}
