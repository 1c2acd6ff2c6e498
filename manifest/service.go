package manifest

// ServiceType is the manifest type of an sst.Service construct.
const ServiceType = "Service"

// Data keys of a Service construct: what the CLI needs to push its image
// after the stack is applied.
const (
	// ServiceImage is the OCI layout directory of the image, relative to
	// the stack directory.
	ServiceImage = "image"
	// ServiceDigest is the image manifest's digest ("sha256:…"), which the
	// task definition names.
	ServiceDigest = "digest"
	// ServiceRepository is an output reference (OutputRefPrefix) to the
	// ECR repository URL the image is pushed to.
	ServiceRepository = "repository"
	// ServiceURL is an output reference to the service's URL, absent
	// without a load balancer.
	ServiceURL = "url"
)
