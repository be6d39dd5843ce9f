// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package openai parses OpenAI-style JSON request bodies.
package openai

import (
	"context"
	"encoding/json"
	"fmt"

	fwkrh "github.com/llm-d/llm-d-router/pkg/epp/framework/interface/requesthandling"
)

// MethodPathKey is the pseudo-header carrying the request path.
const MethodPathKey = ":path"

var supportedPaths = map[string]bool{"/v1/chat/completions": true, "/v1/completions": true}

// Parser parses chat and text completion requests and skips everything else.
type Parser struct{}

// NewParser returns a Parser.
func NewParser() *Parser { return &Parser{} }

// ParseRequest decodes body, or asks to skip requests on other paths.
func (p *Parser) ParseRequest(_ context.Context, body []byte, headers map[string]string) (*fwkrh.ParseResult, error) {
	if !supportedPaths[headers[MethodPathKey]] {
		return &fwkrh.ParseResult{Skip: true}, nil
	}
	payload := fwkrh.PayloadMap{}
	if err := json.Unmarshal(body, &payload); err != nil {
		return nil, fmt.Errorf("error unmarshaling request body: %w", err)
	}
	stream, _ := payload["stream"].(bool)
	return &fwkrh.ParseResult{Body: &fwkrh.InferenceRequestBody{Payload: payload, Stream: stream}}, nil
}
