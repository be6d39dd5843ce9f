// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package datalayer

import "time"

// Metrics is the last scraped state of an endpoint.
type Metrics struct {
	RunningQueueSize    int
	WaitingQueueSize    int
	KVCacheUsagePercent float64
	UpdateTime          time.Time
}
