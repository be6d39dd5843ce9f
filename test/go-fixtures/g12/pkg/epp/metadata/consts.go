// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package metadata holds the header and dynamic-metadata keys exchanged with the gateway.
package metadata

const (
	// DestinationEndpointNamespace is the dynamic metadata namespace of the picked endpoint.
	DestinationEndpointNamespace = "envoy.lb"
	// DestinationEndpointKey is the header and metadata key carrying "ip:port[,ip:port]".
	DestinationEndpointKey = "x-gateway-destination-endpoint"
	// DestinationEndpointServedKey reports the endpoint that actually served the request.
	DestinationEndpointServedKey = "x-gateway-destination-endpoint-served"
	// SubsetFilterNamespace / SubsetFilterKey restrict the candidate endpoints.
	SubsetFilterNamespace = "envoy.lb.subset_hint"
	SubsetFilterKey       = "x-gateway-destination-endpoint-subset"
	// ObjectiveKey names the InferenceObjective of the request.
	ObjectiveKey = "x-gateway-inference-objective"
	// FlowFairnessIDKey names the fairness flow of the request.
	FlowFairnessIDKey = "x-gateway-inference-fairness-id"
	// ModelNameRewriteKey overrides the target model name.
	ModelNameRewriteKey = "x-gateway-model-name-rewrite"
)
