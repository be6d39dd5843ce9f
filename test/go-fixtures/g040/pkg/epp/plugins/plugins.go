// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package plugins

// Plugin is what every scheduling plugin implements; in this release a plugin is known by its name only.
type Plugin interface {
	Name() string
}
