// instrument test fixture: an upstream-style unit test that fails with or without instrument's patches,
// the way tests that need envtest's binaries fail on a machine without them. The tests copy it into
// pkg/epp/handlers/ of a tree, so that `check --test` has a failure of upstream's own to report.

package handlers

import (
	"os"
	"testing"
)

func TestServerAgainstTestCluster(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: this test needs envtest's kube-apiserver and etcd")
	}
}
