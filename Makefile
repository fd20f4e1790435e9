# coachimpact: make demo (build, synthetic district, whole pipeline) and
# make test (the whole suite) are the two commands a new machine needs.

GO       ?= go
BIN      := bin/coachimpact
DEMO_OUT ?= demo-out
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build demo test bench bench-state fmt vet lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/coachimpact

demo: build
	./$(BIN) demo --out $(DEMO_OUT)

test: vet
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) test -count=1 -timeout 30m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./ingest ./pipeline ./reports

# The state of issue 5 (1,300 schools, ~750k students, 3 years, fall,
# winter and spring) and two smaller sizes with the same shape (13 and 130
# schools): generated once as clean CSV (no planted bad rows, which the
# DuckDB floor could not reject) into $(STATE_DIR), then the whole
# pipeline on each, with time and peak RSS per stage; then, on the state,
# each stage timed alone beside its floor (BenchmarkFloorState prints the
# table): the load against DuckDB's read_csv of the same files, the model
# stage against the same SQL models with no Go statistics.
STATE_DIR ?= /tmp/coachimpact-state
bench-state: build
	@for n in 13 130 1300; do \
	  d=$(STATE_DIR)/schools-$$n; \
	  [ -f $$d/assessments.csv ] || ./$(BIN) generate --out $$d --schools $$n --districts $$(( (n + 9) / 10 )) \
	    --students-per-grade 82 --years 3 --windows fall,winter,spring --format csv --clean >/dev/null; \
	  echo "== $$n schools"; \
	  /usr/bin/time -f "  total      %e s wall, peak RSS %M KiB" ./$(BIN) run --input $$d --out $(STATE_DIR)/out-$$n --force --quiet | grep -v '^  [a-z]*: *[/.]'; \
	done
	COACHIMPACT_STATE_DIR=$(STATE_DIR)/schools-1300 $(GO) test -run '^$$' -bench FloorState -benchtime 1x -timeout 30m ./pipeline

vet:
	$(GO) vet ./...

lint: vet
	$(GO) run $(STATICCHECK) ./...

fmt:
	gofmt -w .

clean:
	rm -rf bin $(DEMO_OUT)
