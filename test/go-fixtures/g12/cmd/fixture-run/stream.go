// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

package main

import (
	"context"
	"io"

	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
)

// memStream is an in-memory ExternalProcessor_ProcessServer: it replays the
// queued requests, then reports end of stream, and records what was sent.
type memStream struct {
	grpc.ServerStream
	ctx       context.Context
	requests  []*extProcPb.ProcessingRequest
	responses []*extProcPb.ProcessingResponse
}

var _ extProcPb.ExternalProcessor_ProcessServer = &memStream{}

func newMemStream(ctx context.Context, requests ...*extProcPb.ProcessingRequest) *memStream {
	return &memStream{ctx: ctx, requests: requests}
}

func (m *memStream) Context() context.Context { return m.ctx }

func (m *memStream) Recv() (*extProcPb.ProcessingRequest, error) {
	if len(m.requests) == 0 {
		return nil, io.EOF
	}
	next := m.requests[0]
	m.requests = m.requests[1:]
	return next, nil
}

func (m *memStream) Send(resp *extProcPb.ProcessingResponse) error {
	m.responses = append(m.responses, resp)
	return nil
}
