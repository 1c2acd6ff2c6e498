package sst

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/manifest"
)

// Emulator-aware defaults. On an emulator (manifest.Emulated: the stage has
// an endpoint override) a deploy must finish or fail within minutes, so
// what the emulator cannot do is bounded or left out here, each with a
// synth warning naming the resource and the gap, and each listed in the
// README ("Known emulator differences"). Nothing here runs for real AWS.
const (
	// emulatorTimeout replaces the provider's waits (RDS: 120 minutes)
	// for resources that poll for a state the emulator may never report.
	emulatorTimeout = "2m"
	// emulatorMaxRetries bounds the provider's retries of 5xx answers:
	// moto answers 500 for an action it does not implement, and the
	// provider's default of 25 retries with backoff turns that into about
	// eight minutes of silence.
	emulatorMaxRetries = 5
)

func (a *App) emulated() bool { return manifest.Emulated(a.opts.Endpoint) }

// emulatorWarn records what the emulator-aware defaults changed; the CLI
// prints it after synthesizing.
func (a *App) emulatorWarn(format string, args ...any) {
	a.warnings = append(a.warnings, "emulator: "+fmt.Sprintf(format, args...))
}

// emulatorTimeouts bounds a resource's create/update/delete waits on an
// emulator. The resource type must have a timeouts block.
func emulatorTimeouts(r cdktf.TerraformResource) {
	r.AddOverride(jsii.String("timeouts"), map[string]string{
		"create": emulatorTimeout,
		"update": emulatorTimeout,
		"delete": emulatorTimeout,
	})
}

// emulatorIgnoreChanges keeps the emulator's view of attributes it cannot
// change from turning every later deploy into an update that never ends.
func emulatorIgnoreChanges(r cdktf.TerraformResource, attrs ...string) {
	r.AddOverride(jsii.String("lifecycle.ignore_changes"), attrs)
}
