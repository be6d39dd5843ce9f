// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package server

// Defaults of the EPP flags -destinationEndpointHintKey and -DestinationEndpointHintMetadataNamespace.
const (
	DefaultDestinationEndpointHintKey               = "x-gateway-destination-endpoint"
	DefaultDestinationEndpointHintMetadataNamespace = "envoy.lb"
)
