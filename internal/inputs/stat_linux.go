package inputs

import (
	"io/fs"
	"syscall"
)

// StatIdentity is a file's change time and inode: unlike mtime, no tool
// sets them back, so a file replaced or restored with its old mtime still
// counts as touched.
func StatIdentity(fi fs.FileInfo) (ctime int64, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano(), st.Ino
	}
	return 0, 0
}
