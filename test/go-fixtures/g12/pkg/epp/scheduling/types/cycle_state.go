// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package types

import "sync"

// StateKey names an entry of the CycleState.
type StateKey string

// CycleState is scratch space shared by the plugins during one scheduling cycle.
type CycleState struct {
	storage sync.Map
}

// NewCycleState returns an empty CycleState.
func NewCycleState() *CycleState {
	return &CycleState{}
}

// Read returns the value stored under key.
func (c *CycleState) Read(key StateKey) (any, bool) {
	return c.storage.Load(key)
}

// Write stores val under key.
func (c *CycleState) Write(key StateKey, val any) {
	c.storage.Store(key, val)
}
