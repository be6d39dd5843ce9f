// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package datalayer

import "time"

// Metrics is the last scraped state of an endpoint. It has every field of the release's, so that
// the V4 lines that dump whole endpoints are as long as upstream's.
type Metrics struct {
	// ActiveModels and WaitingModels are the models (LoRA adapters included) loaded on, and
	// waiting for, the GPU.
	ActiveModels  map[string]int
	WaitingModels map[string]int
	// MaxActiveModels is how many models the GPU can hold at once.
	MaxActiveModels         int
	RunningQueueSize        int
	WaitingQueueSize        int
	KVCacheUsagePercent     float64
	KvCacheMaxTokenCapacity int
	CacheBlockSize          int
	// CacheNumGPUBlocks is the number of GPU blocks for the KV cache.
	CacheNumGPUBlocks int

	// UpdateTime is when the metrics were last updated.
	UpdateTime time.Time
}
