// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package requestcontrol holds the Director, which turns a parsed request into
// a routing decision.
package requestcontrol

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/log"

	errcommon "sigs.k8s.io/gateway-api-inference-extension/pkg/common/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/common/observability/logging"
	reqcommon "sigs.k8s.io/gateway-api-inference-extension/pkg/common/request"
	fwkdl "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/datalayer"
	fwksched "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/framework/interface/scheduling"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers"
)

// Datastore lists the endpoints of the pool.
type Datastore interface {
	PodList() []fwksched.Endpoint
}

// Scheduler picks endpoints for a request.
type Scheduler interface {
	Schedule(ctx context.Context, request *fwksched.LLMRequest, candidateEndpoints []fwksched.Endpoint) (result *fwksched.SchedulingResult, err error)
}

// NewDirectorWithConfig returns a Director.
func NewDirectorWithConfig(datastore Datastore, scheduler Scheduler) *Director {
	return &Director{datastore: datastore, scheduler: scheduler}
}

// Director parses the body, calls the scheduler and fills in the routing fields.
type Director struct {
	datastore       Datastore
	scheduler       Scheduler
	defaultPriority int
}

// HandleRequest schedules the request. reqCtx is returned even on error.
func (d *Director) HandleRequest(ctx context.Context, reqCtx *handlers.RequestContext) (*handlers.RequestContext, error) {
	logger := log.FromContext(ctx)

	llmRequestBody, err := d.processRequestBody(reqCtx)
	if err != nil {
		return reqCtx, err
	}

	priority := d.defaultPriority
	reqCtx.Priority = priority

	reqCtx.SchedulingRequest = &fwksched.LLMRequest{
		RequestId:   reqCtx.Request.Headers[reqcommon.RequestIdHeaderKey],
		TargetModel: reqCtx.TargetModelName,
		Body:        llmRequestBody,
		Headers:     reqCtx.Request.Headers,
	}

	logger = logger.WithValues("objectiveKey", reqCtx.ObjectiveKey, "incomingModelName", reqCtx.IncomingModelName, "targetModelName", reqCtx.TargetModelName, "priority", &priority)
	ctx = log.IntoContext(ctx, logger)
	logger.V(logutil.DEBUG).Info("LLM request assembled")

	candidateEndpoints := d.datastore.PodList()
	if len(candidateEndpoints) == 0 {
		return reqCtx, errcommon.Error{Code: errcommon.ServiceUnavailable, Msg: "failed to find candidate endpoints for serving the request"}
	}

	result, err := d.scheduler.Schedule(ctx, reqCtx.SchedulingRequest, candidateEndpoints)
	if err != nil {
		return reqCtx, errcommon.Error{Code: errcommon.ResourceExhausted, Msg: fmt.Errorf("failed to find target endpoint: %w", err).Error()}
	}

	return d.prepareRequest(ctx, reqCtx, result)
}

func (d *Director) processRequestBody(reqCtx *handlers.RequestContext) (*fwksched.LLMRequestBody, error) {
	bodyMap := fwksched.PayloadMap{}
	if err := json.Unmarshal(reqCtx.Request.RawBody, &bodyMap); err != nil {
		return nil, errcommon.Error{Code: errcommon.BadRequest, Msg: "error unmarshaling request body"}
	}
	if _, err := d.mutateModel(reqCtx, bodyMap); err != nil {
		return nil, err
	}
	stream, _ := bodyMap["stream"].(bool)
	return &fwksched.LLMRequestBody{Payload: bodyMap, Stream: stream}, nil
}

func (d *Director) mutateModel(reqCtx *handlers.RequestContext, bodyMap map[string]any) (*handlers.RequestContext, error) {
	var ok bool
	reqCtx.IncomingModelName, ok = bodyMap["model"].(string)
	if !ok {
		return reqCtx, errcommon.Error{Code: errcommon.BadRequest, Msg: "model not found in request body"}
	}
	if reqCtx.TargetModelName == "" {
		reqCtx.TargetModelName = reqCtx.IncomingModelName
	}
	bodyMap["model"] = reqCtx.TargetModelName
	return reqCtx, nil
}

// prepareRequest writes the primary profile's targets into reqCtx.
func (d *Director) prepareRequest(ctx context.Context, reqCtx *handlers.RequestContext, result *fwksched.SchedulingResult) (*handlers.RequestContext, error) {
	logger := log.FromContext(ctx)
	if result == nil || len(result.ProfileResults) == 0 {
		return reqCtx, errcommon.Error{Code: errcommon.Internal, Msg: "results must be greater than zero"}
	}
	primary := result.ProfileResults[result.PrimaryProfileName]
	if primary == nil || len(primary.TargetEndpoints) == 0 {
		return reqCtx, errcommon.Error{Code: errcommon.Internal, Msg: "primary profile picked no endpoint"}
	}
	targetMetadatas := []*fwkdl.EndpointMetadata{}
	targetEndpoints := []string{}
	for _, endpoint := range primary.TargetEndpoints {
		curMetadata := endpoint.GetMetadata()
		targetMetadatas = append(targetMetadatas, curMetadata)
		targetEndpoints = append(targetEndpoints, net.JoinHostPort(curMetadata.GetIPAddress(), curMetadata.GetPort()))
	}

	multiEndpointString := strings.Join(targetEndpoints, ",")
	logger.V(logutil.VERBOSE).Info("Request handled", "objectiveKey", reqCtx.ObjectiveKey, "incomingModelName", reqCtx.IncomingModelName, "targetModel", reqCtx.TargetModelName, "endpoint", multiEndpointString)

	reqCtx.TargetPod = targetMetadatas[0]
	reqCtx.TargetEndpoint = multiEndpointString
	return reqCtx, nil
}

// GetRandomEndpoint returns any endpoint of the pool.
func (d *Director) GetRandomEndpoint() *fwkdl.EndpointMetadata {
	endpoints := d.datastore.PodList()
	if len(endpoints) == 0 {
		return nil
	}
	return endpoints[rand.Intn(len(endpoints))].GetMetadata()
}
