// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

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

	errcommon "github.com/llm-d/llm-d-router/pkg/common/error"
	logutil "github.com/llm-d/llm-d-router/pkg/common/observability/logging"
	reqcommon "github.com/llm-d/llm-d-router/pkg/common/request"
	fwkdl "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/datalayer"
	fwkrh "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/requesthandling"
	fwksched "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/scheduling"
	"github.com/llm-d/llm-d-router/pkg/epp/handlers"
)

// Datastore lists the endpoints of the pool.
type Datastore interface {
	PodList() []fwksched.Endpoint
}

// Scheduler picks endpoints for a request.
type Scheduler interface {
	Schedule(ctx context.Context, request *fwksched.InferenceRequest, candidateEndpoints []fwksched.Endpoint) (result *fwksched.SchedulingResult, err error)
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

// HandleRequest schedules the request. reqCtx is returned even on error. A nil
// body (the parser skipped the request) gets a random endpoint instead.
func (d *Director) HandleRequest(ctx context.Context, reqCtx *handlers.RequestContext, inferenceRequestBody *fwkrh.InferenceRequestBody) (*handlers.RequestContext, error) {
	logger := log.FromContext(ctx)

	if inferenceRequestBody == nil {
		return d.fallbackToRandomEndpoint(ctx, reqCtx)
	}
	if err := d.modelRewriteIfNeeded(reqCtx, inferenceRequestBody); err != nil {
		return reqCtx, err
	}

	priority := d.defaultPriority
	reqCtx.Priority = priority

	reqCtx.SchedulingRequest = &fwksched.InferenceRequest{
		RequestID:   reqCtx.Request.Headers[reqcommon.RequestIDHeaderKey],
		TargetModel: reqCtx.TargetModelName,
		Body:        inferenceRequestBody,
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

	reqCtx, err = d.prepareRequest(ctx, reqCtx, result)
	if err != nil {
		return reqCtx, err
	}
	if err := d.repackage(ctx, reqCtx, inferenceRequestBody); err != nil {
		return reqCtx, err
	}
	return reqCtx, nil
}

// modelRewriteIfNeeded sets the model names; only map payloads carry a model.
func (d *Director) modelRewriteIfNeeded(reqCtx *handlers.RequestContext, inferenceRequestBody *fwkrh.InferenceRequestBody) error {
	if v, ok := inferenceRequestBody.Payload.(fwkrh.PayloadMap); ok {
		if _, err := d.mutateModel(reqCtx, v); err != nil {
			return err
		}
	}
	return nil
}

// repackage writes a (possibly rewritten) map payload back into the raw body.
func (d *Director) repackage(ctx context.Context, reqCtx *handlers.RequestContext, inferenceRequestBody *fwkrh.InferenceRequestBody) error {
	v, ok := inferenceRequestBody.Payload.(fwkrh.PayloadMap)
	if !ok {
		return nil
	}
	requestBodyBytes, err := json.Marshal(v)
	if err != nil {
		log.FromContext(ctx).Error(err, "Error marshalling request body")
		return errcommon.Error{Code: errcommon.Internal, Msg: "error marshalling request body"}
	}
	reqCtx.Request.RawBody = requestBodyBytes
	reqCtx.RequestSize = len(requestBodyBytes)
	return nil
}

// fallbackToRandomEndpoint routes a request the EPP does not schedule.
func (d *Director) fallbackToRandomEndpoint(ctx context.Context, reqCtx *handlers.RequestContext) (*handlers.RequestContext, error) {
	endpoint := d.GetRandomEndpoint()
	if endpoint == nil {
		return reqCtx, errcommon.Error{Code: errcommon.ServiceUnavailable, Msg: "no endpoint available for the skipped request"}
	}
	reqCtx.TargetPod = endpoint
	reqCtx.TargetEndpoint = net.JoinHostPort(endpoint.GetIPAddress(), endpoint.GetPort())
	log.FromContext(ctx).V(logutil.VERBOSE).Info("Request routed to a random endpoint", "endpoint", reqCtx.TargetEndpoint)
	return reqCtx, nil
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
