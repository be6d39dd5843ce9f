// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package requestcontrol

import "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/plugins"

// Config holds the request-control plugins of the director.
type Config struct {
	preRequestPlugins []PreRequest
}

// NewConfig returns an empty Config.
func NewConfig() *Config {
	return &Config{preRequestPlugins: []PreRequest{}}
}

// WithPreRequestPlugins replaces the PreRequest plugins.
func (c *Config) WithPreRequestPlugins(plugins ...PreRequest) *Config {
	c.preRequestPlugins = plugins
	return c
}

// AddPlugins registers every given plugin that implements a request-control interface.
func (c *Config) AddPlugins(pluginObjects ...plugins.Plugin) {
	for _, plugin := range pluginObjects {
		if p, ok := plugin.(PreRequest); ok {
			c.preRequestPlugins = append(c.preRequestPlugins, p)
		}
	}
}
