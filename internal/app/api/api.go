// Package api is footprint's HTTP API: a gin router whose routes, request
// validation and documentation all come from the embedded OpenAPI contract
// (package openapi). The only dependency on the data path is Enricher, which
// *pipeline.Service implements.
//
// Every error is an RFC 9457 problem document; the HTTP status of every
// error is chosen in one function, problemFor. Request bodies, query strings,
// emails and phone numbers are never logged.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/app/static"
	"github.com/footprint-oss/footprint/openapi"
)

// Enricher is the data path as the API sees it. *pipeline.Service
// implements it.
type Enricher interface {
	// Enrich returns the profile, a *pipeline.InputError for requests the
	// pipeline cannot use, or ctx's error when the client went away.
	Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error)
	// Engine is the fan-out engine; GET /v1/sources lists its Sources().
	Engine() *engine.Engine
}

var _ Enricher = (*pipeline.Service)(nil)

// ReadyCheck is one named readiness check for GET /readyz (a cache tier, a
// store). Check must return promptly when ctx is done.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
	// Optional marks a dependency the replica serves without (a shared
	// cache tier): its failure is reported but keeps /readyz ready.
	Optional bool
}

// Config configures a Server. Every field is optional.
type Config struct {
	// MaxBodyBytes caps request bodies (default 65536); larger ones get 413.
	MaxBodyBytes int64
	// ShutdownTimeout bounds how long Serve waits for in-flight requests
	// once its context is done (default 15s).
	ShutdownTimeout time.Duration
	// Logger receives the access log and errors (default: discard).
	Logger *slog.Logger
	// ReadyChecks are run, concurrently, by GET /readyz.
	ReadyChecks []ReadyCheck
	// ReadyCheckTimeout bounds each readiness check (default 2s).
	ReadyCheckTimeout time.Duration
	// MaxBatchBodyBytes caps POST /v1/enrich/batch bodies (default 1 MiB).
	MaxBatchBodyBytes int64
	// Jobs serves /v1/jobs; nil answers those routes 503.
	Jobs Jobs
	// ReadTimeout and WriteTimeout override the server's timeouts of a
	// whole request (defaults 15 s, and the contract's largest budget plus
	// 10 s); job uploads and result downloads move their own deadlines.
	ReadTimeout, WriteTimeout time.Duration
	// MaxJobTimeoutMS caps the default per-row budget of a job
	// (DefaultJobTimeout); set it to the server's max_timeout_ms.
	MaxJobTimeoutMS int
	// MaxUploads bounds the uploads to POST /v1/jobs read at once (more
	// get 503 with Retry-After); UploadMinBytesPerS is the slowest average
	// rate of an upload after its first 30 s, UploadTimeout bounds a whole
	// upload (both 408). Defaults: DefaultMaxUploads,
	// DefaultUploadMinBytesPerS (a negative value: no minimum),
	// DefaultUploadTimeout.
	MaxUploads int
	// MaxUploadsPerKey bounds the uploads one API key has read at once
	// (more get 429 with Retry-After), so one key cannot hold every
	// upload slot; 0 means DefaultMaxUploadsPerKey, a negative value no
	// cap. Without keys (open mode) only MaxUploads applies.
	MaxUploadsPerKey   int
	UploadMinBytesPerS int64
	UploadTimeout      time.Duration
	// Metrics serves GET /metrics (Prometheus text); nil answers 404 (no
	// metrics, or they are served on their own address).
	Metrics http.Handler
	// Observer is told of every request (route template, never the raw
	// path); nil: nobody.
	Observer RequestObserver
	// Tracer starts a span per request, continuing the caller's trace
	// (W3C traceparent); nil: no tracing.
	Tracer trace.Tracer
	// Console serves GET /console and below (package console); nil
	// answers those routes 404.
	Console http.Handler
	// Audit receives one entry per call to a /v1 operation (see
	// auditCall); nil: no audit trail.
	Audit audit.Store
	// Auth requires API keys on every operation the contract does not
	// mark public (security: []), checks scopes (x-footprint-scope),
	// limits and quotas, and serves /v1/keys and /v1/usage; nil: the
	// server runs open (and those two answer 503).
	Auth *auth.Service
	// Privacy serves erasures, suppressions, the audit query and subject
	// exports; nil answers those routes 503.
	Privacy *privacy.Service
	// DefaultPurpose gives the purpose of a lookup that names none (the
	// API key's default purpose); nil, or "": the server's configured
	// default (privacy.default_purpose).
	DefaultPurpose func(ctx context.Context) string
}

// RequestObserver is told of every request once it is answered. route is
// the route template (/v1/jobs/:id) or "unmatched", never the raw path.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, latency time.Duration)
}

// Defaults.
const (
	DefaultMaxBodyBytes      = 64 << 10
	DefaultShutdownTimeout   = 15 * time.Second
	DefaultReadyCheckTimeout = 2 * time.Second
	DefaultMaxBatchBodyBytes = 1 << 20
)

// http.Server timeouts. The write timeout is derived from the contract's
// largest request budget (options.timeout_ms maximum) plus writeMargin.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	idleTimeout       = 120 * time.Second
	writeMargin       = 10 * time.Second
	maxHeaderBytes    = 32 << 10
)

// Server is the HTTP API. It is an http.Handler; Serve runs it on a
// listener with graceful shutdown.
type Server struct {
	cfg          Config
	svc          Enricher
	log          *slog.Logger
	doc          *openapi3.T
	specYAML     []byte
	specJSON     []byte
	docsHTML     static.File
	docsJS       static.File
	router       *gin.Engine
	writeTimeout time.Duration
	maxBudget    time.Duration // the contract's largest options.timeout_ms
	batch        batchSchema
	draining     atomic.Bool
	uploads      chan struct{} // uploads being read (Config.MaxUploads)
	keyUploads   keyUploads    // per key (Config.MaxUploadsPerKey)
	// auditQueue is Config.Audit when it queues entries without writing
	// (audit.Buffer); nil otherwise.
	auditQueue audit.Queuer
	// bodies holds response buffers (*[]byte) a profile's JSON is written
	// into and reused from, once written out (writeJSON).
	bodies sync.Pool
}

var _ http.Handler = (*Server)(nil)

// ginModeOnce guards gin.SetMode, which sets package-level state in gin:
// the one global this package touches, set once (release mode) for the
// process, never per server.
var ginModeOnce sync.Once

// New builds the server: it parses the embedded contract, converts it to
// JSON once and registers one gin route per operation in it. It does no
// I/O. It panics if the embedded contract is invalid or names an operation
// this package has no handler for (build-time mistakes that the package's
// tests catch), and if svc is nil.
func New(cfg Config, svc Enricher) *Server {
	if svc == nil {
		panic("api: New needs an Enricher")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.ReadyCheckTimeout <= 0 {
		cfg.ReadyCheckTimeout = DefaultReadyCheckTimeout
	}
	if cfg.MaxBatchBodyBytes <= 0 {
		cfg.MaxBatchBodyBytes = DefaultMaxBatchBodyBytes
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = DefaultMaxUploads
	}
	if cfg.MaxUploadsPerKey == 0 {
		cfg.MaxUploadsPerKey = DefaultMaxUploadsPerKey
	}
	switch {
	case cfg.UploadMinBytesPerS == 0:
		cfg.UploadMinBytesPerS = DefaultUploadMinBytesPerS
	case cfg.UploadMinBytesPerS < 0:
		cfg.UploadMinBytesPerS = 0
	}
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = DefaultUploadTimeout
	}
	if cfg.MaxJobTimeoutMS <= 0 {
		cfg.MaxJobTimeoutMS = int(pipeline.MaxTimeout.Milliseconds())
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.ReadyChecks = append([]ReadyCheck(nil), cfg.ReadyChecks...)

	doc, err := openapi.Load()
	if err != nil {
		panic(fmt.Sprintf("api: embedded OpenAPI contract: %v", err))
	}
	specJSON, err := openapi.JSON()
	if err != nil {
		panic(fmt.Sprintf("api: embedded OpenAPI contract: %v", err))
	}
	s := &Server{
		uploads:      make(chan struct{}, cfg.MaxUploads),
		cfg:          cfg,
		svc:          svc,
		log:          cfg.Logger,
		doc:          doc,
		specYAML:     openapi.YAML(),
		specJSON:     specJSON,
		maxBudget:    maxRequestBudget(doc),
		writeTimeout: maxRequestBudget(doc) + writeMargin,
		batch:        newBatchSchema(doc),
	}
	s.auditQueue, _ = cfg.Audit.(audit.Queuer)
	s.docsHTML, s.docsJS = docsAssets()

	ginModeOnce.Do(func() { gin.SetMode(gin.ReleaseMode) })
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	if cfg.Observer != nil || cfg.Tracer != nil {
		r.Use(s.observe)
	}
	r.Use(s.requestID, s.accessLog, s.recoverer, s.headerLimit)
	r.NoRoute(s.noRoute)
	r.NoMethod(s.noMethod)
	s.router = r
	s.routes(s.withConsole(map[string]gin.HandlerFunc{
		"enrich":             s.enrich,
		"enrichBatch":        s.enrichBatch,
		"createJob":          s.createJob,
		"listJobs":           s.listJobs,
		"getJob":             s.jobAction(Jobs.Get),
		"pauseJob":           s.jobAction(Jobs.Pause),
		"resumeJob":          s.jobAction(Jobs.Resume),
		"cancelJob":          s.jobAction(Jobs.Cancel),
		"deleteJob":          s.deleteJob,
		"getJobResults":      s.getJobResults,
		"listSources":        s.listSources,
		"checkLiveness":      s.liveness,
		"checkReadiness":     s.readiness,
		"getMetrics":         s.metrics,
		"getOpenAPIYAML":     s.openapiYAML,
		"getOpenAPIJSON":     s.openapiJSON,
		"getDocsPage":        s.docsPage,
		"getDocsScript":      s.docsScript,
		"createKey":          s.createKey,
		"listKeys":           s.listKeys,
		"getKey":             s.getKey,
		"revokeKey":          s.revokeKey,
		"rotateKey":          s.rotateKey,
		"getUsage":           s.getUsage,
		"createErasure":      s.createErasure,
		"getErasure":         s.getErasure,
		"createSuppression":  s.createSuppression,
		"listSuppressions":   s.listSuppressions,
		"deleteSuppression":  s.deleteSuppression,
		"importSuppressions": s.importSuppressions,
		"listAudit":          s.listAudit,
		"exportSubject":      s.exportSubject,
	}))
	return s
}

// routes registers one gin route per operation of the contract, each
// behind the contract's request validation.
func (s *Server) routes(handlers map[string]gin.HandlerFunc) {
	paths := make([]string, 0, s.doc.Paths.Len())
	for p := range s.doc.Paths.Map() {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		item := s.doc.Paths.Value(path)
		methods := make([]string, 0, 2)
		for m := range item.Operations() {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, method := range methods {
			op := item.GetOperation(method)
			h, ok := handlers[op.OperationID]
			if !ok {
				panic(fmt.Sprintf("api: no handler for operation %q (%s %s)", op.OperationID, method, path))
			}
			delete(handlers, op.OperationID)
			route := &routers.Route{Spec: s.doc, Path: path, PathItem: item, Method: method, Operation: op}
			chain := []gin.HandlerFunc{s.validate(route), h}
			a := s.authorize(op)
			switch {
			case s.cfg.Audit != nil && strings.HasPrefix(path, "/v1/"):
				chain = append([]gin.HandlerFunc{s.auditCall(op.OperationID, a)}, chain...)
			case a != nil:
				chain = append([]gin.HandlerFunc{a.handler()}, chain...)
			}
			s.router.Handle(method, ginPath(path), chain...)
		}
	}
	for id := range handlers {
		panic(fmt.Sprintf("api: handler %q has no operation in openapi.yaml", id))
	}
}

// ginPath turns an OpenAPI path template (/v1/things/{id}) into gin's
// syntax (/v1/things/:id).
func ginPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(segs, "/")
}

// maxRequestBudget is the largest options.timeout_ms the contract admits.
func maxRequestBudget(doc *openapi3.T) time.Duration {
	const fallback = pipeline.MaxTimeout
	req := doc.Components.Schemas["EnrichOptions"]
	if req == nil || req.Value == nil {
		return fallback
	}
	t := req.Value.Properties["timeout_ms"]
	if t == nil || t.Value == nil || t.Value.Max == nil {
		return fallback
	}
	return max(fallback, time.Duration(*t.Value.Max)*time.Millisecond)
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead && (r.URL.Path == "/healthz" || r.URL.Path == "/readyz") {
		// Probes often use HEAD: the GET answer; net/http drops the body
		// of a response to a HEAD request.
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	s.router.ServeHTTP(w, r)
}
