package runtime

import (
	"bytes"
	"debug/elf"
	"strings"
	"testing"
)

// The parsers of text and binary data that the runtime reads from files
// and processes it does not control must never panic.

func FuzzParseUSDTArgs(f *testing.F) {
	for _, s := range []string{"-4@%edi 8@-16(%rbp) 8@$5", "4@counter+4(%rip)", "8@8(%rbp,%rdi,8)", "-4@x0 8@[sp, 16]", "1@%ah"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, spec string, x86 bool) {
		machine := elf.EM_AARCH64
		if x86 {
			machine = elf.EM_X86_64
		}
		args, err := ParseUSDTArgs(spec, machine)
		if err != nil {
			return
		}
		for _, a := range args {
			if a.Size != 1 && a.Size != 2 && a.Size != 4 && a.Size != 8 {
				t.Errorf("%q: argument of size %d", spec, a.Size)
			}
		}
	})
}

func FuzzParseProcMaps(f *testing.F) {
	f.Add("55d0c4a00000-55d0c4a2e000 r-xp 0002e000 fe:01 1837 /usr/bin/bash\n7ffd1c1f0000-7ffd1c212000 rw-p 00000000 00:00 0 [stack]\n")
	f.Fuzz(func(t *testing.T, text string) {
		maps, err := ParseProcMaps([]byte(text))
		if err != nil {
			return
		}
		for _, m := range maps {
			if m.End < m.Start {
				t.Errorf("mapping %+v ends before it starts", m)
			}
			findMapping(maps, m.Start)
		}
	})
}

func FuzzParseKallsyms(f *testing.F) {
	f.Add("ffffffff81000000 T _text\nffffffffc0001000 t nft_do_chain\t[nf_tables]\n")
	f.Fuzz(func(t *testing.T, text string) {
		k, err := ParseKallsyms(strings.NewReader(text))
		if err != nil {
			return
		}
		k.Symbolize(0xffffffff81000000)
	})
}

func FuzzParseLDCache(f *testing.F) {
	f.Add([]byte(ldCacheNewMagic + strings.Repeat("\x00", 40)))
	f.Add(append([]byte(ldCacheOldMagic+"\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0}, 60)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseLDCache(data)
	})
}
