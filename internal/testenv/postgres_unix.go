//go:build unix

package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// procUser is the account a child process runs as.
type procUser struct{ uid, gid uint32 }

// serverUser is who runs PostgreSQL: nil (ourselves) unless we are root,
// which initdb and postgres refuse; then "postgres" if the system has that
// account, else "nobody".
func serverUser() (*procUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &procUser{uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("running as root, and PostgreSQL refuses root: create an unprivileged user (postgres or nobody) for the test server")
}

func chownTo(dir string, u *procUser) error {
	if u == nil {
		return nil
	}
	return os.Chown(dir, int(u.uid), int(u.gid))
}

// runAs drops to u for the child and has the kernel kill it if the test
// binary dies, so no server outlives its tests.
func runAs(cmd *exec.Cmd, u *procUser) {
	attr := &syscall.SysProcAttr{}
	setPdeathsig(attr)
	if u != nil {
		attr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid, NoSetGroups: false, Groups: []uint32{}}
	}
	cmd.SysProcAttr = attr
}
