// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package metadata holds the header and metadata keys exchanged with the proxy.
package metadata

const (
	// DestinationEndpointNamespace wraps the picked endpoint in the dynamic metadata.
	DestinationEndpointNamespace = "envoy.lb"
	// DestinationEndpointKey is the header and metadata key of the picked endpoint(s).
	DestinationEndpointKey = "x-gateway-destination-endpoint"
	// ObjectiveKey names the inference objective header.
	ObjectiveKey = "x-gateway-inference-objective"
	// ModelNameRewriteKey names the header that overrides the target model.
	ModelNameRewriteKey = "x-gateway-model-name-rewrite"
)
