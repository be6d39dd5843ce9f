// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package requestcontrol

import (
	"context"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	schedulingtypes "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
)

// PreRequestExtensionPoint labels the latency of PreRequest plugins.
const PreRequestExtensionPoint = "PreRequest"

// PreRequest plugins run after scheduling, before the request is sent to the endpoint.
type PreRequest interface {
	plugins.Plugin
	PreRequest(ctx context.Context, request *schedulingtypes.LLMRequest, schedulingResult *schedulingtypes.SchedulingResult)
}
