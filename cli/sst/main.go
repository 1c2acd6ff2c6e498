// Command sst builds and deploys SST apps on CDK for Terraform.
package main

import (
	"os"

	"github.com/sst-tf/sst/cli"
)

func main() { os.Exit(cli.Main()) }
