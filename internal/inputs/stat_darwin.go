package inputs

import (
	"io/fs"
	"syscall"
)

// StatIdentity: see stat_linux.go.
func StatIdentity(fi fs.FileInfo) (ctime int64, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctimespec.Nano(), st.Ino
	}
	return 0, 0
}
