// Package httpserve runs an HTTP server until SIGINT or SIGTERM, then lets the requests in flight
// finish. Shared by the test gateway and the model server.
package httpserve

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Run serves srv, logging started once it listens, and on a signal shuts down within grace. It
// exits the process with 1 if the server fails or does not shut down in time.
func Run(srv *http.Server, grace time.Duration, started string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Print(started)

	select {
	case err := <-errc:
		log.Printf("server failed: %v", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	stop()
	log.Printf("shutting down: waiting for requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Printf("shutdown: %v", err)
		os.Exit(1)
	}
}
