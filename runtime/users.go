package runtime

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// userNames resolves user ids to names for the username builtin, from
// /etc/passwd, read once on first use. An id without an entry prints as
// the number.
type userNames struct {
	names map[uint32]string
}

func newUserNames() *userNames { return &userNames{} }

func (u *userNames) name(uid uint32) string {
	if u.names == nil {
		u.names = readPasswd("/etc/passwd")
	}
	if n, ok := u.names[uid]; ok {
		return n
	}
	return strconv.FormatUint(uint64(uid), 10)
}

// readPasswd maps uids to names from a passwd(5) file.
func readPasswd(path string) map[uint32]string {
	names := map[uint32]string{}
	f, err := os.Open(path)
	if err != nil {
		return names
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ":")
		if len(parts) < 3 {
			continue
		}
		uid, err := strconv.ParseUint(parts[2], 10, 32)
		if err != nil {
			continue
		}
		if _, dup := names[uint32(uid)]; !dup {
			names[uint32(uid)] = parts[0]
		}
	}
	return names
}
