//go:build !unix

package stagelock

import "os"

// Without flock the stage lock is advisory only: terraform's state lock
// still protects the state.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) error { return nil }
