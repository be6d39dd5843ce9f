// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package requesthandling defines request body parsing.
package requesthandling

import "context"

// PayloadMap is a JSON body decoded into a map.
type PayloadMap map[string]any

// InferenceRequestBody is the parsed request body.
type InferenceRequestBody struct {
	Payload any
	Stream  bool
}

// ParseResult is what a Parser made of a request body. Skip means the EPP does
// not handle this request and routes it to any endpoint.
type ParseResult struct {
	Body *InferenceRequestBody
	Skip bool
}

// Parser turns a raw request body into an InferenceRequestBody.
type Parser interface {
	ParseRequest(ctx context.Context, body []byte, headers map[string]string) (*ParseResult, error)
}
