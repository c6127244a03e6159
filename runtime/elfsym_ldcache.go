package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"sync"
)

// LDCacheEntry is one library the dynamic loader knows by name, from
// /etc/ld.so.cache: "libc.so.6" -> "/lib/x86_64-linux-gnu/libc.so.6".
type LDCacheEntry struct {
	Name  string
	Path  string
	Flags uint32 // ld.so's flags: the low byte is the ABI (3: libc6), the next the architecture
}

// The new ("glibc-ld.so.cache1.1") format, which glibc has written alone
// since 2.32, possibly after an old-format ("ld.so-1.7.0") table:
//
//	header: magic[20], nlibs u32, len_strings u32, flags u8, pad[3],
//	        extension_offset u32, unused[3] u32          (48 bytes)
//	entries[nlibs]: flags i32, key u32, value u32, osversion u32, hwcap u64
//
// key and value are offsets of NUL-terminated strings from the start of
// the new-format header.
const (
	ldCacheOldMagic = "ld.so-1.7.0"
	ldCacheNewMagic = "glibc-ld.so.cache1.1"
	ldCacheHeader   = 48
	ldCacheEntry    = 24
	ldCacheOldEntry = 12
)

// ldArchFlags is the architecture byte (flags & 0xff00) of the entries
// this machine's loader uses, with the libc6 ABI in the low byte.
var ldArchFlags = map[string]uint32{
	"amd64":   0x0303,
	"arm64":   0x0a03,
	"riscv64": 0x1003,
	"386":     0x0003,
}

// ParseLDCache parses the contents of an ld.so.cache file.
func ParseLDCache(data []byte) ([]LDCacheEntry, error) {
	if bytes.HasPrefix(data, []byte(ldCacheOldMagic)) {
		if len(data) < len(ldCacheOldMagic)+1+4 {
			return nil, errors.New("ld.so.cache: truncated old-format header")
		}
		n := binary.LittleEndian.Uint32(data[12:])
		start := uint64(16) + uint64(n)*ldCacheOldEntry
		start = (start + 7) &^ 7 // the new table is aligned
		if start > uint64(len(data)) {
			return nil, errors.New("ld.so.cache: truncated old-format table")
		}
		data = data[start:]
	}
	if !bytes.HasPrefix(data, []byte(ldCacheNewMagic)) || len(data) < ldCacheHeader {
		return nil, errors.New("ld.so.cache: not in glibc's format")
	}
	n := uint64(binary.LittleEndian.Uint32(data[20:]))
	if ldCacheHeader+n*ldCacheEntry > uint64(len(data)) {
		return nil, fmt.Errorf("ld.so.cache: %d entries do not fit in %d bytes", n, len(data))
	}
	str := func(off uint32) (string, bool) {
		if uint64(off) >= uint64(len(data)) {
			return "", false
		}
		s := data[off:]
		end := bytes.IndexByte(s, 0)
		if end < 0 {
			return "", false
		}
		return string(s[:end]), true
	}
	entries := make([]LDCacheEntry, 0, n)
	for i := range n {
		e := data[ldCacheHeader+i*ldCacheEntry:]
		name, ok1 := str(binary.LittleEndian.Uint32(e[4:]))
		path, ok2 := str(binary.LittleEndian.Uint32(e[8:]))
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("ld.so.cache: entry %d points outside the file", i)
		}
		entries = append(entries, LDCacheEntry{Name: name, Path: path, Flags: binary.LittleEndian.Uint32(e)})
	}
	return entries, nil
}

var ldCache = struct {
	once    sync.Once
	entries []LDCacheEntry
}{}

// loaderLibraries returns the entries of /etc/ld.so.cache for this
// machine's architecture, read once; none when the file is missing or
// unreadable (the caller then searches the usual directories).
func loaderLibraries() []LDCacheEntry {
	ldCache.once.Do(func() {
		data, err := os.ReadFile("/etc/ld.so.cache")
		if err != nil {
			return
		}
		all, err := ParseLDCache(data)
		if err != nil {
			return
		}
		want, known := ldArchFlags[goruntime.GOARCH]
		for _, e := range all {
			if !known || e.Flags&0xffff == want {
				ldCache.entries = append(ldCache.entries, e)
			}
		}
	})
	return ldCache.entries
}
