// Test rig for instrument (written for this project, not upstream code).

// Command gateway is a tiny stand-in for Envoy in front of an endpoint picker
// (EPP): for every HTTP request it asks the EPP, over one Envoy ext_proc gRPC
// stream, where to send the request, forwards it there and copies the answer
// back. It is a test tool, not a proxy to run in production.
//
// Per request:
//
//  1. open an ext_proc Process stream to --epp;
//  2. send RequestHeaders (:method, :path, :authority, :scheme and the client's
//     headers, lower-cased, with an x-request-id), then the whole body as one
//     RequestBody with EndOfStream;
//  3. read the destination from the x-gateway-destination-endpoint header
//     mutation of the RequestHeaders response (or answer the client with the
//     EPP's ImmediateResponse);
//  4. forward the request to http://<destination> and stream the answer back;
//  5. only then close the ext_proc stream (CloseSend, read until EOF), so the
//     EPP sees the request end when the response ends.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"time"

	configPb "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extProcPb "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"example.com/instrument/gateway/internal/httpserve"
)

const (
	requestIDHeader   = "x-request-id"
	destinationHeader = "x-gateway-destination-endpoint"
	maxBodyBytes      = 32 << 20
)

var (
	listen  = flag.String("listen", "127.0.0.1:18080", "address to listen on (host:port)")
	eppAddr = flag.String("epp", "127.0.0.1:9002", "the endpoint picker's ext_proc gRPC address (host:port)")
	timeout = flag.Duration("timeout", 25*time.Second, "time limit for one request, from arrival to the end of its response")
)

// hopByHop lists the headers that belong to one connection and are not forwarded.
var hopByHop = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func main() {
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("gateway: ")
	if flag.NArg() > 0 {
		log.Printf("unexpected arguments %q", flag.Args())
		os.Exit(2)
	}
	if *timeout <= 0 {
		log.Printf("--timeout must be positive, got %s", *timeout)
		os.Exit(2)
	}

	conn, err := grpc.NewClient(*eppAddr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithNoProxy())
	if err != nil {
		log.Printf("cannot set up the gRPC client for %s: %v", *eppAddr, err)
		os.Exit(1)
	}
	defer conn.Close()

	gw := &gateway{
		epp: extProcPb.NewExternalProcessorClient(conn),
		upstream: &http.Client{
			Transport: &http.Transport{
				Proxy:               nil, // never through a proxy from the environment
				DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
				MaxIdleConns:        256,
				MaxIdleConnsPerHost: 64,
				IdleConnTimeout:     90 * time.Second,
				DisableCompression:  true, // pass the body through as the server sent it
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		timeout: *timeout,
	}

	srv := &http.Server{Addr: *listen, Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	httpserve.Run(srv, *timeout+5*time.Second, fmt.Sprintf("listening on %s, endpoint picker at %s", *listen, *eppAddr))
}

type gateway struct {
	epp      extProcPb.ExternalProcessorClient
	upstream *http.Client
	timeout  time.Duration
}

// outcome is what the per-request log line reports.
type outcome struct {
	destination string
	status      int
	note        string
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	requestID := r.Header.Get(requestIDHeader)
	if requestID == "" {
		requestID = uuid.NewString()
	}
	res := &outcome{}
	defer func() {
		line := fmt.Sprintf("id=%s destination=%s status=%d duration=%s %s %s",
			requestID, orDash(res.destination), res.status, time.Since(started).Round(time.Millisecond), r.Method, r.URL.RequestURI())
		if res.note != "" {
			line += " (" + res.note + ")"
		}
		log.Print(line)
	}()

	// ctx ends with the client's connection (or the time limit); the ext_proc
	// stream only with the time limit: the client may hang up as soon as it
	// has the whole response, and the EPP should still see the stream end
	// cleanly (EOF, not a cancellation).
	ctx, cancel := context.WithTimeout(r.Context(), g.timeout)
	defer cancel()
	streamCtx, cancelStream := context.WithDeadline(context.WithoutCancel(r.Context()), started.Add(g.timeout))
	defer cancelStream()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		fail(w, res, requestID, http.StatusBadRequest, "cannot read the request body: "+err.Error())
		return
	}

	stream, err := g.epp.Process(streamCtx)
	if err != nil {
		fail(w, res, requestID, http.StatusServiceUnavailable, "endpoint picker unavailable: "+err.Error())
		return
	}
	// Runs after the response has been copied (or failed): the stream's end
	// tells the EPP that the request is over.
	defer closeStream(stream, res)

	destination, immediate, err := askEndpointPicker(stream, r, requestID, body)
	switch {
	case err != nil:
		fail(w, res, requestID, http.StatusServiceUnavailable, "endpoint picker: "+err.Error())
		return
	case immediate != nil:
		writeImmediate(w, res, requestID, immediate)
		return
	case destination == "":
		fail(w, res, requestID, http.StatusServiceUnavailable, "the endpoint picker chose no destination endpoint")
		return
	}
	res.destination = destination
	g.forward(ctx, w, r, res, requestID, destination, body)
}

// askEndpointPicker plays Envoy's part of the request path on the ext_proc
// stream and returns the destination, or the EPP's immediate response.
func askEndpointPicker(stream extProcPb.ExternalProcessor_ProcessClient, r *http.Request, requestID string, body []byte) (string, *extProcPb.ImmediateResponse, error) {
	headers := []*configPb.HeaderValue{
		{Key: ":method", RawValue: []byte(r.Method)},
		{Key: ":path", RawValue: []byte(r.URL.RequestURI())},
		{Key: ":authority", RawValue: []byte(r.Host)},
		{Key: ":scheme", RawValue: []byte("http")},
	}
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, value := range r.Header[name] {
			headers = append(headers, &configPb.HeaderValue{Key: strings.ToLower(name), RawValue: []byte(value)})
		}
	}
	if r.Header.Get(requestIDHeader) == "" {
		headers = append(headers, &configPb.HeaderValue{Key: requestIDHeader, RawValue: []byte(requestID)})
	}

	if err := stream.Send(&extProcPb.ProcessingRequest{Request: &extProcPb.ProcessingRequest_RequestHeaders{
		RequestHeaders: &extProcPb.HttpHeaders{Headers: &configPb.HeaderMap{Headers: headers}, EndOfStream: false},
	}}); err != nil {
		return "", nil, fmt.Errorf("sending the request headers: %w", err)
	}
	if err := stream.Send(&extProcPb.ProcessingRequest{Request: &extProcPb.ProcessingRequest_RequestBody{
		RequestBody: &extProcPb.HttpBody{Body: body, EndOfStream: true},
	}}); err != nil {
		return "", nil, fmt.Errorf("sending the request body: %w", err)
	}

	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return "", nil, errors.New("the stream ended before the request headers were answered")
		}
		if err != nil {
			return "", nil, fmt.Errorf("waiting for the request headers response: %w", err)
		}
		if immediate := resp.GetImmediateResponse(); immediate != nil {
			return "", immediate, nil
		}
		if headersResp := resp.GetRequestHeaders(); headersResp != nil {
			return destinationOf(headersResp.GetResponse().GetHeaderMutation().GetSetHeaders()), nil, nil
		}
		// anything else (body responses, ...) is not needed to route the request
	}
}

// destinationOf returns the first endpoint of the destination header, or "".
func destinationOf(set []*configPb.HeaderValueOption) string {
	for _, option := range set {
		header := option.GetHeader()
		if !strings.EqualFold(header.GetKey(), destinationHeader) {
			continue
		}
		value := string(header.GetRawValue())
		if value == "" {
			value = header.GetValue()
		}
		for _, endpoint := range strings.Split(value, ",") {
			if endpoint = strings.TrimSpace(endpoint); endpoint != "" {
				return endpoint
			}
		}
	}
	return ""
}

// closeStream half-closes the ext_proc stream and reads it until the EPP ends
// it (or the request's deadline cancels it).
func closeStream(stream extProcPb.ExternalProcessor_ProcessClient, res *outcome) {
	if err := stream.CloseSend(); err != nil {
		res.note = joinNote(res.note, "ext_proc CloseSend: "+err.Error())
		return
	}
	for {
		if _, err := stream.Recv(); err != nil {
			if !errors.Is(err, io.EOF) {
				res.note = joinNote(res.note, "ext_proc stream: "+err.Error())
			}
			return
		}
	}
}

// forward sends the request to the destination and streams the response back.
func (g *gateway) forward(ctx context.Context, w http.ResponseWriter, r *http.Request, res *outcome, requestID, destination string, body []byte) {
	out, err := http.NewRequestWithContext(ctx, r.Method, "http://"+destination+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		fail(w, res, requestID, http.StatusBadGateway, "bad destination "+destination+": "+err.Error())
		return
	}
	copyHeaders(out.Header, r.Header)
	out.Header.Del("Content-Length") // set from the body
	out.Header.Set(requestIDHeader, requestID)

	resp, err := g.upstream.Do(out)
	if err != nil && r.Context().Err() != nil {
		res.status = 499 // nobody left to answer (nginx's "client closed request")
		res.note = joinNote(res.note, "client gone before the upstream answered")
		return
	}
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			status = http.StatusGatewayTimeout
		}
		fail(w, res, requestID, status, "upstream "+destination+": "+err.Error())
		return
	}
	defer resp.Body.Close()

	copyHeaders(w.Header(), resp.Header)
	w.Header().Set(destinationHeader, destination)
	w.Header().Set(requestIDHeader, requestID)
	w.WriteHeader(resp.StatusCode)
	res.status = resp.StatusCode

	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, readErr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				res.note = joinNote(res.note, "client gone: "+err.Error())
				return
			}
			_ = rc.Flush()
		}
		if errors.Is(readErr, io.EOF) {
			return
		}
		if readErr != nil {
			res.note = joinNote(res.note, "upstream body broken: "+readErr.Error())
			// the status is out already: abort the response so the client sees it is cut short
			panic(http.ErrAbortHandler)
		}
	}
}

// writeImmediate answers the client with the EPP's immediate response.
func writeImmediate(w http.ResponseWriter, res *outcome, requestID string, immediate *extProcPb.ImmediateResponse) {
	for _, option := range immediate.GetHeaders().GetSetHeaders() {
		header := option.GetHeader()
		value := string(header.GetRawValue())
		if value == "" {
			value = header.GetValue()
		}
		if header.GetKey() != "" && !strings.HasPrefix(header.GetKey(), ":") {
			w.Header().Set(header.GetKey(), value)
		}
	}
	status := int(immediate.GetStatus().GetCode())
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError
	}
	w.Header().Set(requestIDHeader, requestID)
	w.WriteHeader(status)
	_, _ = w.Write(immediate.GetBody())
	res.status = status
	res.note = joinNote(res.note, "immediate response from the endpoint picker")
}

// fail answers with a short JSON error.
func fail(w http.ResponseWriter, res *outcome, requestID string, status int, message string) {
	body, _ := json.Marshal(map[string]string{"error": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(requestIDHeader, requestID)
	if res.destination != "" {
		w.Header().Set(destinationHeader, res.destination)
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
	res.status = status
	res.note = joinNote(res.note, message)
}

// copyHeaders adds every end-to-end header of src to dst.
func copyHeaders(dst, src http.Header) {
	skip := map[string]bool{}
	for _, name := range hopByHop {
		skip[name] = true
	}
	for _, value := range src.Values("Connection") {
		for _, name := range strings.Split(value, ",") {
			if name = strings.TrimSpace(name); name != "" {
				skip[textproto.CanonicalMIMEHeaderKey(name)] = true
			}
		}
	}
	for name, values := range src {
		if skip[textproto.CanonicalMIMEHeaderKey(name)] {
			continue
		}
		for _, value := range values {
			dst.Add(name, value)
		}
	}
}

func joinNote(note, more string) string {
	if note == "" {
		return more
	}
	return note + "; " + more
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
