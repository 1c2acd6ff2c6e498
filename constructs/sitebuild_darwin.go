package sst

import (
	"io/fs"
	"syscall"
)

// statIdentity: see sitebuild_linux.go.
func statIdentity(fi fs.FileInfo) (ctime int64, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctimespec.Nano(), st.Ino
	}
	return 0, 0
}
