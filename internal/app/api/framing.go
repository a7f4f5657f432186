package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"
)

// net/http refuses a request whose framing it cannot parse (a duplicate
// Content-Length, a malformed request line or header, an unknown
// Transfer-Encoding, a missing Host, headers past MaxHeaderBytes) before
// any handler runs: (*conn).serve writes a canned plain-text response
// straight to the connection with one fmt.Fprintf and closes it. There is
// no hook for that, so problemConn, the connection net/http is handed,
// recognises that one write and sends the same status as problem+json
// instead (same status line, Connection: close, now with a Content-Length).
//
// A write is replaced only when both hold:
//   - it is, whole and exactly, one of net/http's canned error responses
//     (cannedError): status line, then "Content-Type: text/plain;
//     charset=utf-8", "Connection: close", an empty line and the short text.
//     A handler's response never starts so: net/http writes a Date header
//     before Connection and sorts the handler's own headers (Connection
//     before Content-Type);
//   - it comes from fmt.Fprintf called by net/http's (*conn).serve, not
//     through the response's buffered writer (fromCannedError): so no
//     response body, whatever bytes it holds and wherever they fall in a
//     write, is ever taken for one.
//
// Every other write, read, deadline and close passes through untouched,
// so keep-alive, pipelining and large bodies behave as on the bare
// connection; ReadFrom and CloseWrite are forwarded (sendfile, the
// half-close net/http does before closing). Should a Go release write its
// canned errors otherwise, nothing matches and they stay plain text
// (TestFramingErrorsAreProblems then fails).

// problemListener wraps each accepted connection in a problemConn.
type problemListener struct {
	net.Listener
	log *slog.Logger
}

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	if _, ok := c.(*tls.Conn); ok {
		return c, nil // net/http needs the *tls.Conn itself (and writes ciphertext to it)
	}
	return &problemConn{Conn: c, log: l.log}, nil
}

// problemConn is a net.Conn whose canned net/http error responses are
// rewritten as problem+json.
type problemConn struct {
	net.Conn
	log *slog.Logger
}

func (c *problemConn) Write(p []byte) (int, error) {
	status, text, ok := cannedError(p)
	if !ok || !fromCannedError() {
		return c.Conn.Write(p)
	}
	id := uuid.NewString()
	// The client's fault, and nothing of the request is known: info, with
	// net/http's own text (it never echoes the request).
	c.log.LogAttrs(context.Background(), slog.LevelInfo, "request refused before a handler",
		slog.String("request_id", id), slog.Int("status", status), slog.String("reason", text))
	if _, err := c.Conn.Write(framingProblem(status, text, id)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ReadFrom keeps net/http's sendfile/splice path for response bodies.
func (c *problemConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite half-closes the connection when it can (net/http does before
// closing, so the client reads the response before any RST).
func (c *problemConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// cannedHeaders is what net/http writes between the status line and the
// text of its canned error responses.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// cannedError parses p as one of net/http's canned error responses:
// "HTTP/1.1 <code> <reason>" cannedHeaders <text>, a 4xx or 5xx code, and a
// short one-line text. It returns the code and the text.
func cannedError(p []byte) (status int, text string, ok bool) {
	const proto = "HTTP/1.1 "
	if len(p) > 512 || !bytes.HasPrefix(p, []byte(proto)) {
		return 0, "", false
	}
	line, body, found := bytes.Cut(p[len(proto):], []byte(cannedHeaders))
	if !found || len(line) < 5 || line[3] != ' ' || bytes.ContainsAny(body, "\r\n") || bytes.ContainsAny(line, "\r\n") {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(line[:3]))
	if err != nil || status < 400 || status > 599 || !strings.HasPrefix(string(line[4:]), http.StatusText(status)) {
		return 0, "", false
	}
	return status, string(body), true
}

// fromCannedError reports whether the write in progress was made by
// fmt.Fprintf called from net/http's (*conn).serve: the canned error path,
// not a response (those reach the connection through
// checkConnErrorWriter and a bufio.Writer).
func fromCannedError() bool {
	var pcs [16]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs[:])])
	want := []string{selfWrite, "fmt.Fprintf", "net/http.(*conn).serve"}
	for i := 0; i < len(want); {
		f, more := frames.Next()
		switch {
		case f.Function == want[i]:
			i++
		case i > 0:
			return false // not the very next frame
		}
		if !more && i < len(want) {
			return false
		}
	}
	return true
}

// selfWrite is the name of (*problemConn).Write in stack frames.
const selfWrite = "github.com/footprint-oss/footprint/internal/app/api.(*problemConn).Write"

// framingDetails says, per status, what a framing error means for the
// client; net/http's own text (e.g. "missing required Host header") is
// kept where it gives one.
var framingDetails = map[int]string{
	http.StatusBadRequest: "The request's framing is malformed (request line, header syntax, Host, a duplicate or invalid " +
		"Content-Length, Transfer-Encoding with Content-Length); it was refused before it was read. The connection is closed.",
	http.StatusRequestHeaderFieldsTooLarge: "The request's header fields are too large; the connection is closed.",
	http.StatusNotImplemented:              "The request's Transfer-Encoding is not supported (send chunked or none); the connection is closed.",
}

// framingProblem is the response that replaces a canned net/http error:
// the same status, a problem+json body, Connection: close.
func framingProblem(status int, text, requestID string) []byte {
	detail := framingDetails[status]
	if _, after, ok := strings.Cut(text, ": "); ok && after != "" {
		// statusError: "<code> <reason>: <what>", written by net/http
		// itself (never echoes the request).
		detail = strings.ToUpper(after[:1]) + after[1:] + "; the connection is closed."
	}
	if detail == "" {
		detail = "The request was refused before it was read; the connection is closed."
	}
	body, _ := gojson.Marshal(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, RequestID: requestID})
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	b.WriteString("Content-Type: " + mimeProblem + "\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	b.WriteString("Connection: close\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
