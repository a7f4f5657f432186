package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// errHeadersTooLarge: the request's header block is over maxHeaderBytes.
var errHeadersTooLarge = errors.New("request header fields too large")

// headerLimit answers a request whose header block is larger than
// maxHeaderBytes with a problem+json 431. The http.Server's own limit is set
// above it (serveMaxHeaderBytes), because net/http answers that one in
// plain text before any handler runs; only header blocks past that outer
// limit get net/http's 431, made problem+json by problemConn (framing.go).
func (s *Server) headerLimit(c *gin.Context) {
	if headerSize(c.Request) > maxHeaderBytes {
		c.Header("Connection", "close")
		s.fail(c, errHeadersTooLarge)
		return
	}
	c.Next()
}

// serveMaxHeaderBytes is the http.Server's MaxHeaderBytes: room above
// maxHeaderBytes for headerLimit to answer in problem+json.
const serveMaxHeaderBytes = 4 * maxHeaderBytes

// headerSize approximates the header block's size on the wire: the request
// line and every "Name: value\r\n".
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	if r.Host != "" {
		n += len("Host: \r\n") + len(r.Host)
	}
	return n
}

func headersTooLargeDetail() string {
	return fmt.Sprintf("The request's header fields exceed %d bytes.", maxHeaderBytes)
}
