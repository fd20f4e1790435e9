# coachimpact: make demo (build, synthetic district, whole pipeline) and
# make test (the whole suite) are the two commands a new machine needs.

GO       ?= go
BIN      := bin/coachimpact
DEMO_OUT ?= demo-out
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build demo test bench fmt vet lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/coachimpact

demo: build
	./$(BIN) demo --out $(DEMO_OUT)

test: vet
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./ingest ./pipeline

vet:
	$(GO) vet ./...

lint: vet
	$(GO) run $(STATICCHECK) ./...

fmt:
	gofmt -w .

clean:
	rm -rf bin $(DEMO_OUT)
