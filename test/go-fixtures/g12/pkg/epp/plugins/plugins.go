// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package plugins holds what every EPP plugin has in common.
package plugins

// TypedName identifies a plugin instance by its type and its configured name.
type TypedName struct {
	Type string
	Name string
}

// String renders the identity as "<name>/<type>".
func (tn TypedName) String() string {
	return tn.Name + "/" + tn.Type
}

// Plugin is implemented by every plugin.
type Plugin interface {
	TypedName() TypedName
}
