package tfenv

import (
	"fmt"
	"strings"
)

// Engine is the program that plans and applies the synthesized stacks:
// Terraform or OpenTofu. Both read the same JSON configuration, backends,
// state and lock files; the CLI drives either the same way.
type Engine string

const (
	// Terraform is HashiCorp's terraform, the default.
	Terraform Engine = "terraform"
	// OpenTofu is the Linux Foundation's fork, run as `tofu`.
	OpenTofu Engine = "tofu"
)

// EnvEngine selects the engine when --engine is not given.
const EnvEngine = "SST_ENGINE"

// Engines are the accepted names, for messages.
var Engines = []Engine{Terraform, OpenTofu}

// ParseEngine checks a name given by source (a flag, a variable, a file):
// "" is Terraform; "opentofu" is accepted for "tofu".
func ParseEngine(name, source string) (Engine, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "terraform":
		return Terraform, nil
	case "tofu", "opentofu":
		return OpenTofu, nil
	}
	return "", fmt.Errorf("%s: unknown engine %q: use %q or %q", source, name, Terraform, OpenTofu)
}

// Command is the executable looked up on PATH.
func (e Engine) Command() string {
	if e == "" {
		return string(Terraform)
	}
	return string(e)
}

// Title names the engine in messages.
func (e Engine) Title() string {
	if e == OpenTofu {
		return "OpenTofu"
	}
	return "Terraform"
}

// InstallHint says how to get the engine when it is not on PATH.
func (e Engine) InstallHint() string {
	if e == OpenTofu {
		return "install OpenTofu 1.9 or later (https://opentofu.org/docs/intro/install/; `make tofu` in the sst checkout builds it into bin/tools) or choose --engine terraform"
	}
	return "install Terraform 1.5 or later (https://developer.hashicorp.com/terraform/install)"
}
