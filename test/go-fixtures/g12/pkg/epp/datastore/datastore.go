// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package datastore is a fixed in-memory endpoint list (no Kubernetes client).
package datastore

import (
	backendmetrics "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/backend/metrics"
)

// Datastore lists the endpoints of the pool.
type Datastore interface {
	PodList(predicate func(backendmetrics.PodMetrics) bool) []backendmetrics.PodMetrics
}

type staticDatastore struct {
	pods []backendmetrics.PodMetrics
}

// NewStaticDatastore returns a Datastore holding exactly the given endpoints.
func NewStaticDatastore(pods ...backendmetrics.PodMetrics) Datastore {
	return &staticDatastore{pods: pods}
}

func (ds *staticDatastore) PodList(predicate func(backendmetrics.PodMetrics) bool) []backendmetrics.PodMetrics {
	res := []backendmetrics.PodMetrics{}
	for _, pm := range ds.pods {
		if predicate == nil || predicate(pm) {
			res = append(res, pm)
		}
	}
	return res
}

// AllPodsPredicate keeps every endpoint.
func AllPodsPredicate(_ backendmetrics.PodMetrics) bool { return true }
