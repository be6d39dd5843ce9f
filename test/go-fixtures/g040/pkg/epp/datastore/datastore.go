// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package datastore

import (
	"errors"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend"
)

// InferencePool is the part of the pool object the fixture needs: the port every pod serves on.
type InferencePool struct {
	Name string
	Spec InferencePoolSpec
}

// InferencePoolSpec holds the pool-level target port.
type InferencePoolSpec struct {
	TargetPortNumber int32
}

// Datastore is a fixed, in-memory view of the pool and its pods.
type Datastore struct {
	pool *InferencePool
	pods []*backend.Pod
}

// NewDatastore returns a datastore for the given pool and pods.
func NewDatastore(pool *InferencePool, pods ...*backend.Pod) *Datastore {
	return &Datastore{pool: pool, pods: pods}
}

func (ds *Datastore) PoolGet() (*InferencePool, error) {
	if ds.pool == nil {
		return nil, errors.New("InferencePool is not initialized in data store")
	}
	return ds.pool, nil
}

func (ds *Datastore) PodGetAll() []*backend.Pod {
	return ds.pods
}
