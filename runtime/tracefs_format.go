package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/gbt-project/gbt/codegen"
)

// Format reads and parses events/<group>/<event>/format.
func (t *Tracefs) Format(group, event string) (*codegen.TracepointFormat, error) {
	if _, err := t.Match(group + ":" + event); err != nil {
		return nil, err
	}
	path := filepath.Join(t.Dir, "events", group, event, "format")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tracepoint %s:%s: %w", group, event, err)
	}
	f, err := ParseTracepointFormat(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Group = group
	return f, nil
}

// ParseTracepointFormat parses the text of a tracepoint format file:
//
//	name: sys_enter_openat
//	ID: 782
//	format:
//		field:unsigned short common_type;	offset:0;	size:2;	signed:0;
//		...
//		field:const char * filename;	offset:24;	size:8;	signed:0;
//
//	print fmt: "..."
//
// The result's Group is left empty: the file does not name its group.
// Field declarations are split into name and C type by ParseFieldDecl.
func ParseTracepointFormat(data []byte) (*codegen.TracepointFormat, error) {
	f := &codegen.TracepointFormat{}
	haveID := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		key, value, _ := strings.Cut(text, ":")
		switch key {
		case "name":
			f.Event = strings.TrimSpace(value)
		case "ID":
			id, err := strconv.ParseUint(strings.TrimSpace(value), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("line %d: bad ID %q", line, value)
			}
			f.ID, haveID = uint32(id), true
		case "field":
			fld, err := parseFieldLine(text)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			f.Fields = append(f.Fields, fld)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if f.Event == "" || !haveID {
		return nil, fmt.Errorf("not a tracepoint format file (no name or ID)")
	}
	return f, nil
}

// parseFieldLine parses one
// "field:DECL;	offset:N;	size:N;	signed:N;" line.
func parseFieldLine(text string) (codegen.TracepointField, error) {
	var fld codegen.TracepointField
	seen := map[string]bool{}
	for part := range strings.SplitSeq(text, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, ":")
		if !ok {
			return fld, fmt.Errorf("bad field attribute %q", part)
		}
		seen[key] = true
		var err error
		switch key {
		case "field":
			fld.Name, fld.CType, fld.ArrayLen, err = ParseFieldDecl(value)
		case "offset":
			fld.Offset, err = strconv.Atoi(value)
		case "size":
			fld.Size, err = strconv.Atoi(value)
		case "signed":
			fld.Signed = value == "1"
		}
		if err != nil {
			return fld, fmt.Errorf("field %q: bad %s: %w", text, key, err)
		}
	}
	if !seen["offset"] || !seen["size"] {
		return fld, fmt.Errorf("field %q: missing offset or size", text)
	}
	fld.Common = strings.HasPrefix(fld.Name, "common_")
	return fld, nil
}

// ParseFieldDecl splits a format file's C declaration into the field name,
// its type without the name, and the element count of a fixed-size array:
//
//	"const char * filename"     -> "filename", "const char *", 0
//	"char comm[16]"             -> "comm", "char[16]", 16
//	"unsigned long args[6]"     -> "args", "unsigned long[6]", 6
//	"unsigned long args[]"      -> "args", "unsigned long[]", 0
//	"__data_loc char[] name"    -> "name", "__data_loc char[]", 0
//
// A "__data_loc" (or "__rel_loc") field holds a 32-bit descriptor: the low
// 16 bits are the data's offset (from the record start, or for __rel_loc from
// the end of the field) and the high 16 bits its length.
func ParseFieldDecl(decl string) (name, ctype string, arrayLen int, err error) {
	decl = strings.Join(strings.Fields(decl), " ")
	dims := ""
	if strings.HasSuffix(decl, "]") {
		i := strings.LastIndexByte(decl, '[')
		if i < 0 {
			return "", "", 0, fmt.Errorf("bad declaration %q", decl)
		}
		dims = decl[i:]
		decl = strings.TrimSpace(decl[:i])
		if n := dims[1 : len(dims)-1]; n != "" {
			if v, convErr := strconv.Atoi(n); convErr == nil {
				arrayLen = v
			}
		}
	}
	i := len(decl)
	for i > 0 && isIdentByte(decl[i-1]) {
		i--
	}
	name, ctype = decl[i:], strings.TrimSpace(decl[:i])
	if name == "" || ctype == "" || name[0] >= '0' && name[0] <= '9' {
		return "", "", 0, fmt.Errorf("bad declaration %q", decl+dims)
	}
	return name, ctype + dims, arrayLen, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// KernelInfo implements codegen.KernelInfo from a tracefs: tracepoint
// listings come from directory entries, layouts from format files, and
// every parsed layout is cached. It is safe for concurrent use.
type KernelInfo struct {
	fs *Tracefs

	mu      sync.Mutex
	formats map[string]*codegen.TracepointFormat
}

var _ codegen.KernelInfo = (*KernelInfo)(nil)

// NewKernelInfo returns the KernelInfo of the tracefs at t. For the running
// kernel, get t from OpenTracefs; tests may use &Tracefs{Dir: "testdata/tracefs"}.
func NewKernelInfo(t *Tracefs) *KernelInfo {
	return &KernelInfo{fs: t, formats: map[string]*codegen.TracepointFormat{}}
}

// MatchTracepoints implements codegen.KernelInfo; see Tracefs.Match.
func (k *KernelInfo) MatchTracepoints(pattern string) ([]string, error) {
	return k.fs.Match(pattern)
}

// Tracepoint implements codegen.KernelInfo: the parsed, cached format of
// group:event. Callers must not modify the result.
func (k *KernelInfo) Tracepoint(group, event string) (*codegen.TracepointFormat, error) {
	key := group + ":" + event
	k.mu.Lock()
	f, ok := k.formats[key]
	k.mu.Unlock()
	if ok {
		return f, nil
	}
	f, err := k.fs.Format(group, event)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.formats[key] = f
	k.mu.Unlock()
	return f, nil
}
