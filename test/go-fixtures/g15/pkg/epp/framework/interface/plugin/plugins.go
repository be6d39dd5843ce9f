// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package plugin defines what every EPP plugin has in common.
package plugin

// TypedName identifies a plugin instance by its type and its name.
type TypedName struct {
	Type string
	Name string
}

// String renders "<name>/<type>".
func (tn TypedName) String() string {
	return tn.Name + "/" + tn.Type
}

// Plugin is implemented by all plugins.
type Plugin interface {
	TypedName() TypedName
}
