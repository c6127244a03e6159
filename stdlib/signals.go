package stdlib

import "strings"

// signals maps Linux signal names (without "SIG") to their numbers on x86-64
// and arm64.
var signals = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7,
	"FPE": 8, "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13,
	"ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19,
	"TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
	"VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "PWR": 30, "SYS": 31,
}

// SignalNumber returns the number of a signal named "SIGKILL", "KILL" or
// "9", or -1 when the name is unknown.
func SignalNumber(name string) int {
	if n, ok := signals[strings.TrimPrefix(name, "SIG")]; ok {
		return n
	}
	n := 0
	for _, c := range name {
		if c < '0' || c > '9' || n > 64 {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	if name == "" || n < 1 || n > 64 {
		return -1
	}
	return n
}
