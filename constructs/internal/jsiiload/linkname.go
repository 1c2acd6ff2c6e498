package jsiiload

import (
	"embed"
	"reflect"
	_ "unsafe" // go:linkname

	// The packages whose variables are read below must be linked in.
	_ "github.com/aws/constructs-go/constructs/v10/jsii"
	_ "github.com/aws/jsii-runtime-go"
	_ "github.com/cdktf/cdktf-provider-aws-go/aws/v19/jsii"
	_ "github.com/hashicorp/terraform-cdk-go/cdktf/jsii"
)

// The tarballs each generated jsii binding embeds and hands to
// runtime.Load on first use. jsii-pacmak names the variable "tarball" in
// every Go binding it generates. Reading them gives the exact bytes the
// kernel is sent (and so the exact package-cache key); replacing the
// provider's makes the kernel load the prepared package instead.

//go:linkname awsTarball github.com/cdktf/cdktf-provider-aws-go/aws/v19/jsii.tarball
var awsTarball []byte

//go:linkname cdktfTarball github.com/hashicorp/terraform-cdk-go/cdktf/jsii.tarball
var cdktfTarball []byte

//go:linkname constructsTarball github.com/aws/constructs-go/constructs/v10/jsii.tarball
var constructsTarball []byte

// jsiiRuntimeFS holds the kernel jsii-runtime-go extracts and runs.
//
//go:linkname jsiiRuntimeFS github.com/aws/jsii-runtime-go/internal/embedded.embeddedFS
var jsiiRuntimeFS embed.FS

// jsiiTypes is jsii-runtime-go's type registry: every jsii type a linked Go
// package registered in its init, i.e. every type this program can name.
// Only the first field is read. The layout is that of
// internal/typeregistry.TypeRegistry in exactly jsiiRuntime.version; it is
// read only after its embedded kernel was found to be that version's.
//
//go:linkname jsiiTypes github.com/aws/jsii-runtime-go/internal/kernel.types
var jsiiTypes *typeRegistryLayout

type typeRegistryLayout struct {
	fqnToType map[string]registeredTypeLayout
}

type registeredTypeLayout struct {
	Type reflect.Type
	Kind uint8
}

// registeredFQNs lists the fully qualified names of the classes, interfaces
// and structs registered with the jsii runtime.
func registeredFQNs() []string {
	if jsiiTypes == nil {
		return nil
	}
	fqns := make([]string, 0, len(jsiiTypes.fqnToType))
	for fqn := range jsiiTypes.fqnToType {
		fqns = append(fqns, fqn)
	}
	return fqns
}
