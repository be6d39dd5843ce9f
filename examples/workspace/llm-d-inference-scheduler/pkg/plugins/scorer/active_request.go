// Example workspace for instrument: reproduces the shape of llm-d-inference-scheduler
// v0.4.0's active-request scorer (written for this project, not upstream code).

// Package scorer holds the llm-d scheduler scorer plugins.
package scorer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/requestcontrol"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/framework"
	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/scheduling/types"
	logutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/logging"
)

const (
	// ActiveRequestType is the plugin type of the active-request scorer.
	ActiveRequestType = "active-request-scorer"

	// DefaultRequestTimeout is how long a request is counted against its
	// endpoint at most, when no other timeout is configured. A request normally
	// stops being counted when Complete is called for it; the timeout is only a
	// safety net for requests whose end is never seen.
	DefaultRequestTimeout = 60 * time.Second
)

// ActiveRequestParameters configures the scorer.
type ActiveRequestParameters struct {
	// RequestTimeout is a Go duration string ("2s", "1m"). A request that was
	// never completed stops being counted once it is older than this. Empty
	// means the default.
	RequestTimeout string `json:"requestTimeout"`
}

var (
	_ framework.Scorer          = &ActiveRequest{}
	_ requestcontrol.PreRequest = &ActiveRequest{}
)

// ActiveRequest prefers endpoints with fewer requests in flight.
//
// Every request that is scheduled is remembered (in PreRequest) against the
// endpoint(s) it was sent to, until Complete is called with its id (the request
// ended) or, failing that, until requestTimeout has passed. An endpoint with n
// remembered requests scores 1 - n/maxN, where maxN is the highest count among
// the candidates; when nothing is remembered every candidate scores 1.
//
// ActiveRequest is safe for concurrent use.
type ActiveRequest struct {
	typedName      plugins.TypedName
	requestTimeout time.Duration
	now            func() time.Time

	mu sync.Mutex
	// requestCache holds the live requests by request id.
	requestCache map[string]*requestEntry
	// podCounts holds, per endpoint (namespaced name), how many live requests target it.
	podCounts map[string]int
}

// requestEntry is one remembered request.
type requestEntry struct {
	RequestID string   `json:"requestID"`
	PodNames  []string `json:"podNames"`
	expiresAt time.Time
}

// NewActiveRequest returns the scorer, named after its type. params may be nil.
func NewActiveRequest(ctx context.Context, params *ActiveRequestParameters) *ActiveRequest {
	logger := log.FromContext(ctx)
	timeout := DefaultRequestTimeout
	if params != nil && params.RequestTimeout != "" {
		parsed, err := time.ParseDuration(params.RequestTimeout)
		if err == nil && parsed <= 0 {
			err = fmt.Errorf("request timeout must be positive, got %s", parsed)
		}
		if err != nil {
			logger.Error(err, "Invalid request timeout duration, using default", "requestTimeout", params.RequestTimeout, "default", DefaultRequestTimeout.String())
		} else {
			timeout = parsed
		}
	}
	logger.Info("Using request timeout", "requestTimeout", timeout.String())

	return &ActiveRequest{
		typedName:      plugins.TypedName{Type: ActiveRequestType, Name: ActiveRequestType},
		requestTimeout: timeout,
		now:            time.Now,
		requestCache:   map[string]*requestEntry{},
		podCounts:      map[string]int{},
	}
}

// WithName sets the plugin's configured name.
func (s *ActiveRequest) WithName(name string) *ActiveRequest {
	s.typedName.Name = name
	return s
}

// TypedName implements plugins.Plugin.
func (s *ActiveRequest) TypedName() plugins.TypedName { return s.typedName }

// RequestTimeout reports how long a request is counted.
func (s *ActiveRequest) RequestTimeout() time.Duration { return s.requestTimeout }

// Score implements framework.Scorer.
func (s *ActiveRequest) Score(ctx context.Context, _ *types.CycleState, _ *types.LLMRequest, pods []types.Pod) map[types.Pod]float64 {
	counts := make(map[types.Pod]int, len(pods))
	maxCount := 0

	s.mu.Lock()
	expired := s.expireLocked(s.now())
	for _, pod := range pods {
		n := s.podCounts[pod.GetPod().NamespacedName.String()]
		counts[pod] = n
		maxCount = max(maxCount, n)
	}
	s.mu.Unlock()
	logExpired(ctx, expired)

	scores := make(map[types.Pod]float64, len(pods))
	for pod, n := range counts {
		if maxCount == 0 {
			scores[pod] = 1.0
			continue
		}
		scores[pod] = 1.0 - float64(n)/float64(maxCount)
	}

	log.FromContext(ctx).V(logutil.DEBUG).Info("Scored pods", "scores", scores)
	return scores
}

// PreRequest implements requestcontrol.PreRequest: it remembers the request
// against the first target of every profile that picked one.
func (s *ActiveRequest) PreRequest(ctx context.Context, request *types.LLMRequest, schedulingResult *types.SchedulingResult) {
	debugLogger := log.FromContext(ctx).V(logutil.DEBUG)
	if request == nil || schedulingResult == nil {
		debugLogger.Info("Skipping active request accounting because request or scheduling result is nil")
		return
	}

	podNames := []string{}
	seen := map[string]bool{}
	for _, profileResult := range schedulingResult.ProfileResults {
		if profileResult == nil || len(profileResult.TargetPods) == 0 || profileResult.TargetPods[0] == nil {
			continue
		}
		name := profileResult.TargetPods[0].GetPod().NamespacedName.String()
		if !seen[name] {
			seen[name] = true
			podNames = append(podNames, name)
		}
	}
	if len(podNames) == 0 {
		debugLogger.Info("Skipping active request accounting because targetPod is nil")
		return
	}

	entry := &requestEntry{RequestID: request.RequestId, PodNames: podNames}
	s.mu.Lock()
	now := s.now()
	expired := s.expireLocked(now)
	if previous, ok := s.requestCache[entry.RequestID]; ok {
		// the same id scheduled again: count it once, against its latest targets
		s.forgetLocked(previous)
	}
	entry.expiresAt = now.Add(s.requestTimeout)
	s.requestCache[entry.RequestID] = entry
	for _, name := range podNames {
		s.podCounts[name]++
	}
	inFlight, total := s.countsLocked()
	s.mu.Unlock()
	logExpired(ctx, expired)

	debugLogger.Info("Added request to cache", "requestEntry", entry, "inFlight", inFlight, "inFlightTotal", total)
}

// Complete stops counting the request with this id: it has ended (its
// response is over, or it failed). Unknown ids (never scheduled, already
// completed or expired) are ignored.
func (s *ActiveRequest) Complete(requestID string) {
	if requestID == "" {
		return
	}
	s.mu.Lock()
	entry, ok := s.requestCache[requestID]
	if ok {
		s.forgetLocked(entry)
	}
	inFlight, total := s.countsLocked()
	s.mu.Unlock()

	if ok {
		// no request context here: the global logger (the EPP's stream contexts carry none either)
		log.Log.V(logutil.DEBUG).Info("Removed request from cache", "requestEntry", entry, "inFlight", inFlight, "inFlightTotal", total)
	}
}

// expireLocked drops every request whose timeout has passed and returns them.
// s.mu must be held.
func (s *ActiveRequest) expireLocked(now time.Time) []*requestEntry {
	var expired []*requestEntry
	for _, entry := range s.requestCache {
		if !now.Before(entry.expiresAt) {
			s.forgetLocked(entry)
			expired = append(expired, entry)
		}
	}
	return expired
}

// countsLocked returns a copy of the per-endpoint counts and the number of
// requests in flight. s.mu must be held.
func (s *ActiveRequest) countsLocked() (map[string]int, int) {
	counts := make(map[string]int, len(s.podCounts))
	for name, n := range s.podCounts {
		counts[name] = n
	}
	return counts, len(s.requestCache)
}

// logExpired reports the requests that were dropped by the timeout rather
// than by Complete (their end was never seen).
func logExpired(ctx context.Context, expired []*requestEntry) {
	for _, entry := range expired {
		log.FromContext(ctx).V(logutil.DEBUG).Info("Expired request from cache", "requestEntry", entry)
	}
}

// forgetLocked removes one request and its counts. s.mu must be held.
func (s *ActiveRequest) forgetLocked(entry *requestEntry) {
	delete(s.requestCache, entry.RequestID)
	for _, name := range entry.PodNames {
		if s.podCounts[name] <= 1 {
			delete(s.podCounts, name)
		} else {
			s.podCounts[name]--
		}
	}
}
