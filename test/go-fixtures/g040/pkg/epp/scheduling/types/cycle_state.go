// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package types

import "sync"

// CycleState lets plugins share data during one scheduling cycle.
type CycleState struct {
	storage sync.Map
}

// NewCycleState returns an empty CycleState.
func NewCycleState() *CycleState {
	return &CycleState{}
}

// Read returns the value stored under key.
func (c *CycleState) Read(key string) (any, bool) {
	return c.storage.Load(key)
}

// Write stores a value under key.
func (c *CycleState) Write(key string, val any) {
	c.storage.Store(key, val)
}
