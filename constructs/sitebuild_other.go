//go:build !linux && !darwin

package sst

import "io/fs"

// statIdentity: elsewhere size and mtime alone tell a touched file.
func statIdentity(fs.FileInfo) (ctime int64, ino uint64) { return 0, 0 }
