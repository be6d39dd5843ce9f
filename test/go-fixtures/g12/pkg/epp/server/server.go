// instrument test fixture: reproduces the shape of GIE v1.2.0 (not upstream code).

// Package server runs a StreamingServer behind a real gRPC listener.
package server

import (
	"context"
	"fmt"
	"net"

	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"

	"sigs.k8s.io/gateway-api-inference-extension/pkg/epp/handlers"
)

// Serve listens on addr (TCP), serves srv as the Envoy ExternalProcessor and
// returns when ctx is done (nil) or the server fails.
func Serve(ctx context.Context, addr string, srv *handlers.StreamingServer) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("failed to listen on %s: %w", addr, err)
	}
	grpcServer := grpc.NewServer()
	extProcPb.RegisterExternalProcessorServer(grpcServer, srv)

	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			grpcServer.Stop()
		case <-stopped:
		}
	}()

	if err := grpcServer.Serve(lis); err != nil && ctx.Err() == nil {
		return fmt.Errorf("ext_proc server on %s failed: %w", addr, err)
	}
	return nil
}
