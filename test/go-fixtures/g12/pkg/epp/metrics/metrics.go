// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package metrics keeps the recording calls of the EPP; the fixture has no metrics backend.
package metrics

import "time"

// RecordPluginProcessingLatency records how long one plugin call took.
func RecordPluginProcessingLatency(extensionPoint, pluginType, pluginName string, duration time.Duration) {
	_, _, _, _ = extensionPoint, pluginType, pluginName, duration
}

// RecordSchedulerE2ELatency records the duration of one scheduling cycle.
func RecordSchedulerE2ELatency(duration time.Duration) { _ = duration }

// RecordRequestCounter counts a scheduled request.
func RecordRequestCounter(modelName, targetModelName string) { _, _ = modelName, targetModelName }
