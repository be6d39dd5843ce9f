// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

// Package metrics has the recorders the EPP calls; the fixture has no metrics backend, so they do nothing.
package metrics

import "time"

// RecordSchedulerPluginProcessingLatency records how long one scheduler plugin took.
func RecordSchedulerPluginProcessingLatency(pluginType, pluginName string, duration time.Duration) {}

// RecordRequestCounter counts a request for a model.
func RecordRequestCounter(modelName, targetModelName string) {}

// RecordRequestSizes records the size of a request body.
func RecordRequestSizes(modelName, targetModelName string, reqSize int) {}

// RecordRequestErrCounter counts a failed request.
func RecordRequestErrCounter(modelName, targetModelName string, code string) {}

// RecordSchedulerE2ELatency records how long a whole scheduling call took.
func RecordSchedulerE2ELatency(duration time.Duration) {}
