// instrument test fixture: reproduces the shape of llm-d-router HEAD (not upstream code).

// Package request holds request-level constants shared by the EPP.
package request

// RequestIDHeaderKey names the header carrying the request id.
const RequestIDHeaderKey = "x-request-id"
