// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package plugins

import "fmt"

// Plugin is what every scheduling plugin implements: it identifies itself by type and name.
type Plugin interface {
	TypedName() TypedName
}

// TypedName identifies a plugin instance: Type is the plugin kind, Name the configured instance name.
type TypedName struct {
	Type string
	Name string
}

// String renders "<name>/<type>". Note the pointer receiver: a TypedName value is not a fmt.Stringer.
func (tn *TypedName) String() string {
	return fmt.Sprintf("%s/%s", tn.Name, tn.Type)
}
