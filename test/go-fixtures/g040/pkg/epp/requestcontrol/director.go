// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package requestcontrol

import (
	"context"
	"math/rand"
	"strconv"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/datastore"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers"
	schedulingtypes "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
	requtil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/request"
)

// Scheduler picks the target pod for a request.
type Scheduler interface {
	Schedule(ctx context.Context, request *schedulingtypes.LLMRequest) (result *schedulingtypes.SchedulingResult, err error)
}

// NewDirectorWithConfig returns a director using the given datastore and scheduler.
func NewDirectorWithConfig(datastore *datastore.Datastore, scheduler Scheduler) *Director {
	return &Director{datastore: datastore, scheduler: scheduler}
}

// Director turns a decoded request into a scheduling decision and records it in the RequestContext.
type Director struct {
	datastore *datastore.Datastore
	scheduler Scheduler
}

// HandleRequest resolves the model, schedules the request and sets the target on reqCtx.
func (d *Director) HandleRequest(ctx context.Context, reqCtx *handlers.RequestContext) (*handlers.RequestContext, error) {
	logger := log.FromContext(ctx)

	var ok bool
	requestBodyMap := reqCtx.Request.Body
	reqCtx.Model, ok = requestBodyMap["model"].(string)
	if !ok {
		return reqCtx, errutil.Error{Code: errutil.BadRequest, Msg: "model not found in request body"}
	}
	prompt, err := requtil.ExtractPromptFromRequestBody(requestBodyMap)
	if err != nil {
		return reqCtx, err
	}
	// The fixture has no InferenceModel objects: the target model is the requested one and
	// every request is Standard.
	reqCtx.ResolvedTargetModel = reqCtx.Model
	requestCriticality := "Standard"

	reqCtx.SchedulingRequest = &schedulingtypes.LLMRequest{
		RequestId:   reqCtx.Request.Headers[requtil.RequestIdHeaderKey],
		TargetModel: reqCtx.ResolvedTargetModel,
		Prompt:      prompt,
		Headers:     reqCtx.Request.Headers,
	}
	logger = logger.WithValues("model", reqCtx.Model, "resolvedTargetModel", reqCtx.ResolvedTargetModel, "criticality", requestCriticality)
	ctx = log.IntoContext(ctx, logger)
	logger.V(logutil.DEBUG).Info("LLM request assembled")

	results, err := d.scheduler.Schedule(ctx, reqCtx.SchedulingRequest)
	if err != nil {
		return reqCtx, errutil.Error{Code: errutil.InferencePoolResourceExhausted, Msg: "failed to find target pod: " + err.Error()}
	}
	return d.PostDispatch(ctx, reqCtx, results)
}

// PostDispatch sets TargetPod and TargetEndpoint from the primary profile's result; the port is the pool's.
func (d *Director) PostDispatch(ctx context.Context, reqCtx *handlers.RequestContext, result *schedulingtypes.SchedulingResult) (*handlers.RequestContext, error) {
	logger := log.FromContext(ctx)
	if result == nil || len(result.ProfileResults) == 0 {
		return reqCtx, errutil.Error{Code: errutil.Internal, Msg: "results must be greater than zero"}
	}
	targetPod := result.ProfileResults[result.PrimaryProfileName].TargetPod.GetPod()

	pool, err := d.datastore.PoolGet()
	if err != nil {
		return reqCtx, err
	}

	endpoint := targetPod.Address + ":" + strconv.Itoa(int(pool.Spec.TargetPortNumber))
	logger.V(logutil.DEFAULT).Info("Request handled", "model", reqCtx.Model, "targetModel", reqCtx.ResolvedTargetModel, "endpoint", targetPod)

	reqCtx.TargetPod = targetPod
	reqCtx.TargetEndpoint = endpoint
	return reqCtx, nil
}

// GetRandomPod returns any pod of the pool, for requests that are not scheduled.
func (d *Director) GetRandomPod() *backend.Pod {
	pods := d.datastore.PodGetAll()
	if len(pods) == 0 {
		return nil
	}
	return pods[rand.Intn(len(pods))]
}
