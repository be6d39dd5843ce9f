// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package metrics keeps the EPP's metric entry points as no-ops.
package metrics

import "time"

// RecordPluginProcessingLatency records how long a plugin ran.
func RecordPluginProcessingLatency(extensionPoint, pluginType, pluginName string, duration time.Duration) {
}

// RecordSchedulerE2ELatency records one scheduling cycle.
func RecordSchedulerE2ELatency(duration time.Duration) {}

// RecordRequestCounter counts a request.
func RecordRequestCounter(modelName, targetModelName string, priority int) {}

// RecordRequestSizes records a request size.
func RecordRequestSizes(modelName, targetModelName string, reqSize int) {}

// RecordRequestErrCounter counts a failed request.
func RecordRequestErrCounter(modelName, targetModelName, code string) {}

// IncRunningRequests increases the running request gauge.
func IncRunningRequests(modelName string) {}

// DecRunningRequests decreases the running request gauge.
func DecRunningRequests(modelName string) {}

// RecordSchedulerAttempt counts a scheduling attempt and its outcome.
func RecordSchedulerAttempt(err error, targetModel string, result any) {}
