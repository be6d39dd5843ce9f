// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package datalayer defines the endpoint data the scheduler works on.
package datalayer

import (
	"fmt"

	"k8s.io/apimachinery/pkg/types"
)

// EndpointMetadata identifies one serving endpoint (one target port of a pod).
type EndpointMetadata struct {
	NamespacedName types.NamespacedName
	PodName        string
	Address        string
	Port           string
	MetricsHost    string
	Labels         map[string]string
}

// String renders the metadata for logs.
func (m *EndpointMetadata) String() string {
	if m == nil {
		return ""
	}
	return fmt.Sprintf("%+v", *m)
}

// GetIPAddress returns the endpoint's IP address.
func (m *EndpointMetadata) GetIPAddress() string {
	return m.Address
}

// GetPort returns the endpoint's port.
func (m *EndpointMetadata) GetPort() string {
	return m.Port
}

// Metrics are the last scraped model-server metrics of an endpoint.
type Metrics struct {
	WaitingQueueSize    int
	RunningRequestsSize int
	KVCacheUsagePercent float64
}

// Cloneable is a value that can be stored in an AttributeMap.
type Cloneable interface {
	Clone() Cloneable
}

// AttributeMap stores per-endpoint data produced by plugins.
type AttributeMap interface {
	Put(key string, value Cloneable)
	Get(key string) (Cloneable, bool)
	Keys() []string
}

// Attributes is a plain AttributeMap.
type Attributes map[string]Cloneable

// Put stores value under key.
func (a Attributes) Put(key string, value Cloneable) { a[key] = value }

// Get returns the value stored under key.
func (a Attributes) Get(key string) (Cloneable, bool) {
	v, ok := a[key]
	return v, ok
}

// Keys lists the stored keys.
func (a Attributes) Keys() []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	return keys
}
