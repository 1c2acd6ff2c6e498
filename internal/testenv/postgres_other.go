//go:build !unix

package testenv

import "os/exec"

type procUser struct{}

func serverUser() (*procUser, error)  { return nil, nil }
func chownTo(string, *procUser) error { return nil }
func runAs(*exec.Cmd, *procUser)      {}
