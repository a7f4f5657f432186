# The README's two commands: `make run` and `make test`.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test bench generate lint openapi-lint docs-check ts-client-check

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/footprint ./cmd/footprint

# Builds and serves the API on 127.0.0.1:8080 with embedded defaults.
run: build
	./bin/footprint serve

# Every test with the race detector. Redis-backed tests run when
# FOOTPRINT_TEST_REDIS_URL is set, PostgreSQL-backed ones when
# FOOTPRINT_TEST_DATABASE_URL is set (CI sets both); they skip with a message otherwise.
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

# The OpenAPI contract, linted by a pinned Redocly CLI (needs Node.js 20.19+).
REDOCLY_CLI ?= @redocly/cli@2.77.0
openapi-lint:
	npx --yes $(REDOCLY_CLI) lint --config openapi/redocly.yaml openapi/openapi.yaml

# Renders GET /docs in headless Chromium, offline (apt-get install -y chromium).
docs-check:
	tools/docs-check.sh

# Generates a TypeScript client from the contract and calls a running server.
ts-client-check:
	tools/ts-client-check.sh
