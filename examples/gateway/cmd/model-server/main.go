// Test rig for instrument (written for this project, not upstream code).

// Command model-server is a tiny stand-in for a vLLM model server: it answers
// OpenAI-shaped completions after a fixed delay, so that several requests can
// be in flight at once. It is a test tool, not a model server.
//
//	POST /v1/chat/completions, POST /v1/completions   answer after --delay
//	GET  /health                                       200
//
// Every completion carries the response header x-served-by: <name>. With
// "stream": true in the request body the answer is a text/event-stream of
// "data: {...}" chunks ending with "data: [DONE]".
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"example.com/instrument/gateway/internal/httpserve"
)

const maxBodyBytes = 8 << 20

var (
	listen = flag.String("listen", "127.0.0.1:18001", "address to listen on (host:port)")
	name   = flag.String("name", "vllm-a", "server name, reported in x-served-by and in the answer")
	delay  = flag.Duration("delay", 300*time.Millisecond, "how long every completion takes")
)

func main() {
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("model-server " + *name + ": ")
	if flag.NArg() > 0 {
		log.Printf("unexpected arguments %q", flag.Args())
		os.Exit(2)
	}

	srv := &http.Server{
		Addr:              *listen,
		Handler:           http.HandlerFunc(handle),
		ReadHeaderTimeout: 10 * time.Second,
	}
	httpserve.Run(srv, *delay+5*time.Second, fmt.Sprintf("listening on %s (delay %s)", *listen, *delay))
}

func handle(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && (r.URL.Path == "/v1/chat/completions" || r.URL.Path == "/v1/completions"):
		complete(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		w.WriteHeader(http.StatusOK)
	default:
		writeError(w, http.StatusNotFound, "not found: "+r.Method+" "+r.URL.Path)
	}
}

// completionRequest is the part of an OpenAI request this server reads.
type completionRequest struct {
	Model  string `json:"model"`
	Stream bool   `json:"stream"`
}

func complete(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot read body: "+err.Error())
		return
	}
	var req completionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "body is not a JSON object: "+err.Error())
		return
	}

	select {
	case <-time.After(*delay):
	case <-r.Context().Done():
		log.Printf("%s %s x-request-id=%q: client gone after %s", r.Method, r.URL.Path, r.Header.Get("x-request-id"), time.Since(started).Round(time.Millisecond))
		return
	}

	chat := r.URL.Path == "/v1/chat/completions"
	w.Header().Set("x-served-by", *name)
	if req.Stream {
		streamAnswer(w, r, chat, req.Model)
	} else {
		answer(w, chat, req.Model, len(body))
	}
	log.Printf("%s %s x-request-id=%q stream=%t took %s", r.Method, r.URL.Path, r.Header.Get("x-request-id"), req.Stream, time.Since(started).Round(time.Millisecond))
}

// answer writes one OpenAI-shaped (chat) completion.
func answer(w http.ResponseWriter, chat bool, model string, bodyBytes int) {
	text := "hello from " + *name
	choice := map[string]any{"index": 0, "finish_reason": "stop"}
	object, idPrefix := "text_completion", "cmpl-"
	if chat {
		choice["message"] = map[string]any{"role": "assistant", "content": text}
		object, idPrefix = "chat.completion", "chatcmpl-"
	} else {
		choice["text"] = text
	}
	promptTokens := max(1, bodyBytes/4) // a rough guess; nothing here tokenizes
	completionTokens := len(strings.Fields(text))
	writeJSON(w, http.StatusOK, map[string]any{
		"id":      idPrefix + randomID(),
		"object":  object,
		"created": time.Now().Unix(),
		"model":   model,
		"choices": []any{choice},
		"usage": map[string]any{
			"prompt_tokens":     promptTokens,
			"completion_tokens": completionTokens,
			"total_tokens":      promptTokens + completionTokens,
		},
	})
}

// streamAnswer writes the same answer as server-sent events, one word a chunk.
func streamAnswer(w http.ResponseWriter, r *http.Request, chat bool, model string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)

	id, created := randomID(), time.Now().Unix()
	object, idPrefix := "text_completion", "cmpl-"
	if chat {
		object, idPrefix = "chat.completion.chunk", "chatcmpl-"
	}
	words := strings.Fields("hello from " + *name)
	for i := 0; i <= len(words); i++ {
		choice := map[string]any{"index": 0, "finish_reason": nil}
		piece := ""
		if i < len(words) {
			piece = words[i]
			if i > 0 {
				piece = " " + piece
			}
		} else {
			choice["finish_reason"] = "stop"
		}
		if chat {
			delta := map[string]any{}
			if i == 0 {
				delta["role"] = "assistant"
			}
			if piece != "" {
				delta["content"] = piece
			}
			choice["delta"] = delta
		} else {
			choice["text"] = piece
		}
		chunk, _ := json.Marshal(map[string]any{
			"id": idPrefix + id, "object": object, "created": created, "model": model,
			"choices": []any{choice},
		})
		if !writeEvent(w, rc, string(chunk)) {
			return
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	writeEvent(w, rc, "[DONE]")
}

// writeEvent writes one "data:" event and flushes it; false if the client is gone.
func writeEvent(w io.Writer, rc *http.ResponseController, data string) bool {
	if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
		return false
	}
	return rc.Flush() == nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": message, "code": status}})
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (Go 1.24+: it crashes the program instead)
	return hex.EncodeToString(b)
}
