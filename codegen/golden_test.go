package codegen

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden listings in testdata/codegen")

// TestGolden compiles each testdata/codegen/*.txtar's script.bt (with the
// positional parameters listed one per line in its "params" file, if any)
// and compares the Listing with its "listing" file. The listings are a
// help to review code generation; behaviour is tested in the kernel by
// package runtime. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/codegen/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ar := parseTxtar(data)
			var src, want string
			var params []string
			listing := -1
			for i, file := range ar {
				switch file.name {
				case "script.bt":
					src = string(file.data)
				case "params":
					params = strings.Fields(string(file.data))
				case "listing":
					want, listing = string(file.data), i
				}
			}
			obj := mustCompile(t, src, params...)
			got := obj.Listing()
			// Compiling again gives the same listing: the Object is
			// deterministic.
			again := mustCompile(t, src, params...)
			if diff := cmp.Diff(got, again.Listing()); diff != "" {
				t.Errorf("two compilations differ:\n%s", diff)
			}
			if !reflect.DeepEqual(obj.Maps, again.Maps) || !reflect.DeepEqual(obj.Printfs, again.Printfs) ||
				!bytes.Equal(marshal(t, obj), marshal(t, again)) {
				t.Errorf("two compilations give different Objects")
			}
			if *update {
				if listing < 0 {
					ar = append(ar, txtarFile{name: "listing"})
					listing = len(ar) - 1
				}
				ar[listing].data = got
				if err := os.WriteFile(f, formatTxtar(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("listing differs (-want +got; run with -update to accept):\n%s", diff)
			}
		})
	}
}

// txtarFile is one file of a txtar archive: "-- name --" lines, each
// followed by the file's content.
type txtarFile struct{ name, data string }

func parseTxtar(data []byte) []txtarFile {
	var files []txtarFile
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			files = append(files, txtarFile{name: strings.TrimSpace(trimmed[3 : len(trimmed)-3])})
			continue
		}
		if len(files) > 0 {
			files[len(files)-1].data += line
		}
	}
	return files
}

func formatTxtar(files []txtarFile) []byte {
	var b strings.Builder
	for _, f := range files {
		b.WriteString("-- " + f.name + " --\n")
		b.WriteString(f.data)
		if f.data != "" && !strings.HasSuffix(f.data, "\n") {
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// marshal encodes every program's instructions.
func marshal(t *testing.T, obj *Object) []byte {
	var b bytes.Buffer
	for _, p := range obj.Programs {
		var order binary.ByteOrder = binary.LittleEndian
		if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
			order = binary.BigEndian
		}
		if err := p.Insns.Marshal(&b, order); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}
