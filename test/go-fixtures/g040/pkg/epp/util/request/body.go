// instrument test fixture: reproduces the shape of GIE v0.4.0 (not upstream code).

package request

import (
	"fmt"
	"strings"

	errutil "sigs.k8s.io/gateway-api-inference-extension/pkg/epp/util/error"
)

// ExtractPromptFromRequestBody returns the completion prompt, or the chat messages joined into one string.
func ExtractPromptFromRequestBody(body map[string]any) (string, error) {
	if prompt, ok := body["prompt"].(string); ok {
		return prompt, nil
	}
	messages, ok := body["messages"].([]any)
	if !ok {
		return "", errutil.Error{Code: errutil.BadRequest, Msg: "neither prompt nor messages found in the request body"}
	}
	var sb strings.Builder
	for _, m := range messages {
		msg, ok := m.(map[string]any)
		if !ok {
			return "", errutil.Error{Code: errutil.BadRequest, Msg: fmt.Sprintf("unexpected message entry %v", m)}
		}
		fmt.Fprintf(&sb, "<%v>%v\n", msg["role"], msg["content"])
	}
	return sb.String(), nil
}
