// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package backend exposes the endpoint type used by the request path.
package backend

import "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datalayer"

// Pod is the endpoint description handed to the scheduler and the handlers.
type Pod = datalayer.PodInfo
