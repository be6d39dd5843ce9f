// instrument test fixture: reproduces the shape of GIE v1.5.0 (not upstream code).

// Package request holds request-level constants shared by the EPP.
package request

// RequestIdHeaderKey names the header carrying the request id.
const RequestIdHeaderKey = "x-request-id"
