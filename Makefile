# The README's two commands: `make run` and `make test`.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test bench generate lint

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/footprint ./cmd/footprint

# Builds and serves the API on 127.0.0.1:8080 with embedded defaults.
run: build
	./bin/footprint serve

# Every test with the race detector. Redis-backed tests run when
# FOOTPRINT_TEST_REDIS_URL is set (CI sets it) and skip with a message otherwise.
test:
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

generate:
	$(GO) generate ./...

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...
	staticcheck ./...
