// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package datalayer holds the endpoint descriptions shared by the EPP layers.
package datalayer

import "k8s.io/apimachinery/pkg/types"

// PodInfo describes one model-server endpoint (one rank of a pod).
type PodInfo struct {
	NamespacedName types.NamespacedName
	PodName        string
	Address        string
	Port           string
	MetricsHost    string
	Labels         map[string]string
}

// GetNamespacedName returns the endpoint's name (<pod>-rank-<n>) and namespace.
func (p *PodInfo) GetNamespacedName() types.NamespacedName { return p.NamespacedName }

// GetIPAddress returns the endpoint's IP address.
func (p *PodInfo) GetIPAddress() string { return p.Address }

// GetPort returns the endpoint's serving port as a string.
func (p *PodInfo) GetPort() string { return p.Port }
