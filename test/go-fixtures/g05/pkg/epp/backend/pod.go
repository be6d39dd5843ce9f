// instrument test fixture: reproduces the shape of GIE v0.5.1 (not upstream code).

package backend

import (
	"fmt"

	"k8s.io/apimachinery/pkg/types"
)

// Pod is the static description of a model server pod. The serving port is not part of it:
// it is a property of the InferencePool.
type Pod struct {
	NamespacedName types.NamespacedName
	Address        string
	Labels         map[string]string
}

func (p *Pod) String() string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%+v", *p)
}
