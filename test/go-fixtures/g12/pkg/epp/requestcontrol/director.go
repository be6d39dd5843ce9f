// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package requestcontrol turns a parsed request into a scheduling decision.
package requestcontrol

import (
	"context"
	"fmt"
	"math/rand"
	"net"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
	backendmetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend/metrics"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/metrics"
	schedulingtypes "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
	requtil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/request"
)

// Datastore lists the endpoints the director may schedule to.
type Datastore interface {
	PodList(predicate func(backendmetrics.PodMetrics) bool) []backendmetrics.PodMetrics
}

// Scheduler picks target endpoints for a request.
type Scheduler interface {
	Schedule(ctx context.Context, request *schedulingtypes.LLMRequest, candidatePods []schedulingtypes.Pod) (*schedulingtypes.SchedulingResult, error)
}

// NewDirector returns a Director; config may be nil.
func NewDirector(datastore Datastore, scheduler Scheduler, config *Config) *Director {
	if config == nil {
		config = NewConfig()
	}
	return &Director{
		datastore:         datastore,
		scheduler:         scheduler,
		preRequestPlugins: config.preRequestPlugins,
		defaultPriority:   0,
	}
}

// Director implements handlers.Director.
type Director struct {
	datastore         Datastore
	scheduler         Scheduler
	preRequestPlugins []PreRequest
	defaultPriority   int
}

var _ handlers.Director = &Director{}

// HandleRequest resolves the model, schedules the request and records the target on reqCtx.
func (d *Director) HandleRequest(ctx context.Context, reqCtx *handlers.RequestContext) (*handlers.RequestContext, error) {
	logger := log.FromContext(ctx)

	requestBodyMap := reqCtx.Request.Body
	var ok bool
	reqCtx.IncomingModelName, ok = requestBodyMap["model"].(string)
	if !ok {
		return reqCtx, errutil.Error{Code: errutil.BadRequest, Msg: "model not found in request body"}
	}
	if reqCtx.TargetModelName == "" {
		reqCtx.TargetModelName = reqCtx.IncomingModelName
	}
	reqCtx.Request.Body["model"] = reqCtx.TargetModelName

	priority := d.defaultPriority
	reqCtx.SchedulingRequest = &schedulingtypes.LLMRequest{
		RequestId:   reqCtx.Request.Headers[requtil.RequestIdHeaderKey],
		TargetModel: reqCtx.TargetModelName,
		Headers:     reqCtx.Request.Headers,
	}

	logger = logger.WithValues("objectiveKey", reqCtx.ObjectiveKey, "incomingModelName", reqCtx.IncomingModelName, "targetModelName", reqCtx.TargetModelName, "priority", &priority)
	ctx = log.IntoContext(ctx, logger)
	logger.V(logutil.DEBUG).Info("LLM request assembled")

	candidatePods := d.datastore.PodList(func(backendmetrics.PodMetrics) bool { return true })
	if len(candidatePods) == 0 {
		return reqCtx, errutil.Error{Code: errutil.ServiceUnavailable, Msg: "failed to find candidate pods for serving the request"}
	}

	result, err := d.scheduler.Schedule(ctx, reqCtx.SchedulingRequest, schedulingtypes.ToSchedulerPodMetrics(candidatePods))
	if err != nil {
		return reqCtx, errutil.Error{Code: errutil.InferencePoolResourceExhausted, Msg: fmt.Errorf("failed to find target pod: %w", err).Error()}
	}

	return d.prepareRequest(ctx, reqCtx, result)
}

// prepareRequest records the primary profile's targets and runs the PreRequest plugins.
func (d *Director) prepareRequest(ctx context.Context, reqCtx *handlers.RequestContext, result *schedulingtypes.SchedulingResult) (*handlers.RequestContext, error) {
	logger := log.FromContext(ctx)
	if result == nil || len(result.ProfileResults) == 0 {
		return reqCtx, errutil.Error{Code: errutil.Internal, Msg: "results must be greater than zero"}
	}
	primary := result.ProfileResults[result.PrimaryProfileName]
	if primary == nil || len(primary.TargetPods) == 0 {
		return reqCtx, errutil.Error{Code: errutil.Internal, Msg: "primary profile picked no pods"}
	}

	targetPods := []*backend.Pod{}
	targetEndpoints := []string{}
	for _, pod := range primary.TargetPods {
		curPod := pod.GetPod()
		curEndpoint := net.JoinHostPort(curPod.GetIPAddress(), curPod.GetPort())
		targetPods = append(targetPods, curPod)
		targetEndpoints = append(targetEndpoints, curEndpoint)
	}
	multiEndpointString := strings.Join(targetEndpoints, ",")
	logger.V(logutil.VERBOSE).Info("Request handled", "objectiveKey", reqCtx.ObjectiveKey, "incomingModelName", reqCtx.IncomingModelName, "targetModel", reqCtx.TargetModelName, "endpoint", multiEndpointString)

	reqCtx.TargetPod = targetPods[0]
	reqCtx.TargetEndpoint = multiEndpointString

	d.runPreRequestPlugins(ctx, reqCtx.SchedulingRequest, result)

	return reqCtx, nil
}

// GetRandomPod returns any endpoint, for requests that carry no body.
func (d *Director) GetRandomPod() *backend.Pod {
	pods := d.datastore.PodList(func(backendmetrics.PodMetrics) bool { return true })
	if len(pods) == 0 {
		return nil
	}
	return pods[rand.Intn(len(pods))].GetPod()
}

func (d *Director) runPreRequestPlugins(ctx context.Context, request *schedulingtypes.LLMRequest, schedulingResult *schedulingtypes.SchedulingResult) {
	loggerDebug := log.FromContext(ctx).V(logutil.DEBUG)
	for _, plugin := range d.preRequestPlugins {
		loggerDebug.Info("Running pre-request plugin", "plugin", plugin.TypedName())
		before := time.Now()
		plugin.PreRequest(ctx, request, schedulingResult)
		metrics.RecordPluginProcessingLatency(PreRequestExtensionPoint, plugin.TypedName().Type, plugin.TypedName().Name, time.Since(before))
		loggerDebug.Info("Completed running pre-request plugin successfully", "plugin", plugin.TypedName())
	}
}
