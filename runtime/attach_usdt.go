package runtime

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// attachUSDTPoint attaches a program compiled for one USDT probe location:
// ap.Target is the binary (resolved by ResolveBinaryIn), ap.Symbol the
// probe ("provider:name") and ap.Offset the location's address in the
// file, which must still hold that probe: the program reads the arguments
// where the notes said they were when it was compiled.
func attachUSDTPoint(prog *ebpf.Program, ap AttachPoint) (link.Link, error) {
	path, err := ResolveBinaryIn(ap.Target, ap.Pid)
	if err != nil {
		return nil, err
	}
	probes, err := ReadUSDTProbes(path)
	if err != nil {
		return nil, err
	}
	for _, p := range probes {
		if p.String() == ap.Symbol && p.PC == ap.Offset {
			return AttachUSDT(prog, path, p, ap.Pid)
		}
	}
	return nil, fmt.Errorf("%s has no USDT probe %s at %#x (was it rebuilt since the script was compiled?)", path, ap.Symbol, ap.Offset)
}
