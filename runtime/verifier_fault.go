package runtime

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// faultLog loads ps once more, itself, to read the verifier's log after a
// load that failed with EFAULT: the kernel returns EFAULT when the
// verifier gives up on a program for some reasons ("The sequence of 8193
// jumps is too complex.", as an endless while (1) gives), and cilium/ebpf
// then drops the log, taking EFAULT for a verifier bug. ps's map
// references must be resolved (AssociateMap). This machine is little-endian
// (amd64). The log is kept in a
// rotating buffer, so its tail, with the final message, survives however
// long the log grows. It returns nil when the program cannot be encoded or
// the kernel writes no log.
func faultLog(ps *ebpf.ProgramSpec) []string {
	var code bytes.Buffer
	if err := ps.Instructions.Marshal(&code, binary.LittleEndian); err != nil || code.Len() == 0 {
		return nil
	}
	insns := code.Bytes()
	license := append([]byte(ps.License), 0)
	logBuf := make([]byte, 1<<20)
	// The head of union bpf_attr for BPF_PROG_LOAD.
	attr := struct {
		progType, insnCnt  uint32
		insns, license     uint64
		logLevel, logSize  uint32
		logBuf             uint64
		kernVersion, flags uint32
		name               [16]byte
		ifindex            uint32
		expectedAttachType uint32
	}{
		progType: uint32(ps.Type), insnCnt: uint32(len(insns) / 8),
		insns:    uint64(uintptr(unsafe.Pointer(&insns[0]))),
		license:  uint64(uintptr(unsafe.Pointer(&license[0]))),
		logLevel: 1, logSize: uint32(len(logBuf)),
		logBuf:             uint64(uintptr(unsafe.Pointer(&logBuf[0]))),
		expectedAttachType: uint32(ps.AttachType),
	}
	fd, _, _ := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(insns)
	runtime.KeepAlive(license)
	if int(fd) > 0 {
		unix.Close(int(fd))
	}
	text := unix.ByteSliceToString(logBuf)
	if text == "" {
		return nil
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(text) == len(logBuf)-1 {
		// The buffer rotated: its first line is likely cut.
		lines = lines[1:]
	}
	return lines
}
