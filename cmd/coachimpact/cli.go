package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/coachimpact/coachimpact/config"
	"github.com/coachimpact/coachimpact/model"
	"github.com/coachimpact/coachimpact/pipeline"
	"github.com/coachimpact/coachimpact/synth"
)

// Exit codes: pipeline's, which classifies a run's end.
const (
	exitOK       = pipeline.ExitOK
	exitFailed   = pipeline.ExitFailed
	exitUsage    = pipeline.ExitUsage
	exitDegraded = pipeline.ExitDegraded
)

const usage = `usage:
  coachimpact run --input DIR --out DIR [--config FILE] [--profile NAME,...] [--reports district,cohorts,schools] [--parquet DIR]
                  [--redact SALTFILE] [--force] [--wait DURATION] [--log-format text|json] [--quiet] [--verbose]
                  [--cpuprofile FILE]
  coachimpact check --input DIR [--config FILE] [--profile NAME,...] [--suggest] [--format text|json] [--out DIR (ignored)]
                    (a dry run: what run would read, reject and estimate; writes nothing)
  coachimpact demo --out DIR [--seed N] [--schools N] [--selection S]
  coachimpact generate --out DIR [--seed N] [--schools N] [--districts N] [--students-per-grade N] [--years N] [--windows fall,winter,spring] [--format mixed|csv] [--clean] [--selection S]
  coachimpact sql --db FILE "SELECT ..."
  coachimpact salt FILE      (a new secret salt for --redact, readable by its owner only)

exit codes: 0 ok or skipped; 1 the run failed; 2 bad usage or config; 3 the inputs are
structurally unusable; 4 degraded: the result is empty or mostly rejected (run.json
lists the reasons; the last good outputs stay published unless [degraded] publish = true)
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr)
	case "check":
		return cmdCheck(ctx, args[1:], stdout, stderr)
	case "demo":
		return cmdDemo(ctx, args[1:], stdout, stderr)
	case "generate":
		return cmdGenerate(ctx, args[1:], stdout, stderr)
	case "sql":
		return cmdSQL(ctx, args[1:], stdout, stderr)
	case "salt":
		return cmdSalt(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "coachimpact: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

type logFlags struct {
	format         string
	quiet, verbose bool
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.format, "log-format", "text", "log format: text or json")
	fs.BoolVar(&l.quiet, "quiet", false, "log warnings and errors only")
	fs.BoolVar(&l.verbose, "verbose", false, "also log each model step with its time")
}

func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	switch {
	case l.quiet:
		opts.Level = slog.LevelWarn
	case l.verbose:
		opts.Level = slog.LevelDebug
	}
	switch l.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", l.format)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// inputFlags are the flags run and check share: the input folder, the
// config file and the vendor profiles.
type inputFlags struct{ input, config, profiles string }

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.input, "input", "", "folder of input files")
	fs.StringVar(&f.config, "config", "", "configuration file (TOML)")
	fs.StringVar(&f.profiles, "profile", "", "vendor profiles of the exports, comma-separated: "+strings.Join(config.ProfileNames(), ", ")+" (added to the config's profiles)")
}

// load is the configuration the flags give: the file's (else the
// defaults), with --input over it and --profile's profiles added; ok is
// false, and stderr says why, when the file does not load.
func (f *inputFlags) load(stderr io.Writer) (cfg config.Config, ok bool) {
	cfg = config.Default()
	if f.config != "" {
		var err error
		if cfg, err = config.Load(f.config); err != nil {
			fmt.Fprintf(stderr, "coachimpact: %v\n", err)
			return cfg, false
		}
	}
	if f.input != "" {
		cfg.Input = f.input
	}
	cfg.Profiles = append(cfg.Profiles, splitList(f.profiles)...)
	return cfg, true
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("coachimpact "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", stderr)
	var in inputFlags
	in.register(fs)
	out := fs.String("out", "", "output folder")
	force := fs.Bool("force", false, "run even when inputs, config and program are unchanged since the last successful run")
	wait := fs.Duration("wait", 0, "wait this long (e.g. 10m) for another run on --out to finish; default fail at once")
	books := fs.String("reports", "", "workbooks to build, comma-separated from district,cohorts,schools (default all)")
	parquet := fs.String("parquet", "", "also export every model table to this folder as Parquet, partitioned by school_year")
	redact := fs.String("redact", "", "hash student and teacher IDs in every output with the secret salt in this file, and leave teacher names out (for outputs shared outside the district)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	var lf logFlags
	lf.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cfg, ok := in.load(stderr)
	if !ok {
		return exitUsage
	}
	if *out != "" {
		cfg.Out = *out
	}
	if *books != "" {
		cfg.Reports = strings.Split(*books, ",")
	}
	if *parquet != "" {
		cfg.Parquet = *parquet
	}
	if *redact != "" {
		cfg.RedactSaltFile = *redact
	}
	if cfg.Input == "" || cfg.Out == "" {
		fmt.Fprintf(stderr, "coachimpact run: --input and --out are required\n%s", usage)
		return exitUsage
	}
	opts := pipeline.Options{Input: cfg.Input, Out: cfg.Out, Config: cfg, Force: *force, Wait: *wait}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "coachimpact: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "coachimpact: %v\n", err)
			return exitUsage
		}
		defer pprof.StopCPUProfile()
	}
	return lf.run(ctx, opts, stdout, stderr)
}

// run runs the pipeline with the logger the flags ask for, and a progress
// bar when stderr is a terminal (not with --quiet or JSON logs).
func (l *logFlags) run(ctx context.Context, opts pipeline.Options, stdout, stderr io.Writer) int {
	logw, done := stderr, func() {}
	if !l.quiet && l.format == "text" && isTerminal(stderr) {
		b := newBar(stderr)
		logw, opts.Progress, done = b, b.Update, b.Done
	}
	log, err := l.logger(logw)
	if err != nil {
		fmt.Fprintf(stderr, "coachimpact: %v\n", err)
		return exitUsage
	}
	opts.Log = log
	return runPipeline(ctx, opts, done, stdout, stderr)
}

// runPipeline runs the pipeline, calls done (which clears a progress bar)
// and says how it went.
func runPipeline(ctx context.Context, opts pipeline.Options, done func(), stdout, stderr io.Writer) int {
	cfg := opts.Config
	man, err := pipeline.Run(ctx, opts)
	done()
	if err != nil {
		fmt.Fprintf(stderr, "coachimpact: %v\n", err)
		return pipeline.ExitCode(man, err)
	}
	if man.Status == pipeline.StatusSkipped {
		fmt.Fprintf(stdout, "coachimpact: inputs, config and program unchanged since the run of %s; outputs in %s kept (--force reruns)\n",
			man.SkippedFor.Format("2006-01-02 15:04 UTC"), cfg.Out)
		return exitOK
	}
	loaded := 0
	for _, f := range man.Files {
		loaded += f.RowsLoaded
	}
	fmt.Fprintf(stdout, "coachimpact: %d rows loaded, %d rejected (%d rejected values), in %.1f s\n", loaded, man.Rejects, man.RejectedValues, man.Seconds)
	for _, s := range man.Stages {
		fmt.Fprintf(stdout, "  %-14s %6.1f s, peak RSS %5d MiB\n", s.Name+" stage", s.Seconds, s.PeakRSS>>20)
	}
	at := cfg.Out // where this run's outputs are: published, or kept aside
	if !man.Published {
		at = filepath.Join(cfg.Out, pipeline.DegradedDir)
	}
	fmt.Fprintf(stdout, "  model:     %s\n", filepath.Join(at, pipeline.DBFile))
	fmt.Fprintf(stdout, "  workbooks: %s\n", filepath.Join(at, pipeline.ReportsDir))
	fmt.Fprintf(stdout, "  charts:    %s\n", filepath.Join(at, pipeline.ChartsDir))
	fmt.Fprintf(stdout, "  manifest:  %s\n", filepath.Join(at, pipeline.ManifestFile))
	if code := pipeline.ExitCode(man, nil); code == exitDegraded {
		return degraded(man, cfg.Out, stdout, stderr)
	}
	return exitOK
}

// degraded says why a run is degraded and where its outputs are, and
// returns its exit code.
func degraded(man *pipeline.Manifest, out string, stdout, stderr io.Writer) int {
	n := fmt.Sprintf("%d reasons", len(man.Reasons))
	if len(man.Reasons) == 1 {
		n = "1 reason"
	}
	fmt.Fprintf(stderr, "coachimpact: run degraded: the result is empty or mostly rejected (%s):\n", n)
	for _, r := range man.Reasons {
		fmt.Fprintf(stderr, "  %s: %s\n", r.Code, r.Text)
	}
	if man.Published {
		fmt.Fprintf(stderr, "coachimpact: published anyway ([degraded] publish = true)\n")
	} else {
		fmt.Fprintf(stderr, "coachimpact: not published: the last good outputs in %s stay in place; this run's outputs are in %s\n", out, filepath.Join(out, pipeline.DegradedDir))
	}
	return exitDegraded
}

type synthFlags struct {
	seed, schools, spg, years, districts int
	format, windows                      string
	clean                                bool
	selection                            float64
}

func (s *synthFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&s.seed, "seed", 1, "random seed")
	fs.IntVar(&s.schools, "schools", 0, "number of schools (default 14)")
	fs.IntVar(&s.spg, "students-per-grade", 0, "students per grade per school (default: the demo size)")
	fs.IntVar(&s.years, "years", 0, "school years (default 4)")
	fs.StringVar(&s.format, "format", "mixed", "mixed (csv and xlsx with real-export quirks) or csv")
	fs.IntVar(&s.districts, "districts", 0, "number of districts, schools assigned round-robin (default 1)")
	fs.StringVar(&s.windows, "windows", "", "test windows, comma-separated from fall,winter,spring (default fall,spring)")
	fs.BoolVar(&s.clean, "clean", false, "plant no bad rows")
	fs.Float64Var(&s.selection, "selection", 0, "plant selection: coach teachers with weaker value-added more often, weight exp(-S·value-added/SD) (default 0, none)")
}

func (s *synthFlags) config() synth.Config {
	c := synth.Config{Seed: int64(s.seed), Schools: s.schools, StudentsPerGrade: s.spg, Years: s.years, Districts: s.districts, Format: s.format, NoBadRows: s.clean, Selection: s.selection}
	if s.windows != "" {
		c.Windows = strings.Split(s.windows, ",")
	}
	return c
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", stderr)
	out := fs.String("out", "", "output folder; the synthetic inputs go to OUT/input")
	var sf synthFlags
	sf.register(fs)
	var lf logFlags
	lf.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *out == "" {
		fmt.Fprintf(stderr, "coachimpact demo: --out is required\n%s", usage)
		return exitUsage
	}
	if _, err := lf.logger(stderr); err != nil {
		fmt.Fprintf(stderr, "coachimpact: %v\n", err)
		return exitUsage
	}
	input := filepath.Join(*out, "input")
	t0 := time.Now()
	if _, err := synth.Generate(ctx, input, sf.config()); err != nil {
		fmt.Fprintf(stderr, "coachimpact demo: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "coachimpact: synthetic district written to %s in %.1f s (truth.json holds the planted effects)\n", input, time.Since(t0).Seconds())
	cfg := config.Default()
	cfg.Input, cfg.Out = input, *out
	return lf.run(ctx, pipeline.Options{Input: input, Out: *out, Config: cfg, Force: true}, stdout, stderr)
}

func cmdGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("generate", stderr)
	out := fs.String("out", "", "folder to write the synthetic district into")
	var sf synthFlags
	sf.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *out == "" {
		fmt.Fprintf(stderr, "coachimpact generate: --out is required\n%s", usage)
		return exitUsage
	}
	truth, err := synth.Generate(ctx, *out, sf.config())
	if err != nil {
		fmt.Fprintf(stderr, "coachimpact generate: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "coachimpact: synthetic district in %s (%d files)\n", *out, len(truth.Files))
	return exitOK
}

func cmdSQL(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sql", stderr)
	dbPath := fs.String("db", "", "model file (coachimpact.duckdb)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *dbPath == "" || fs.NArg() != 1 {
		fmt.Fprintf(stderr, "coachimpact sql: want --db FILE and one query\n%s", usage)
		return exitUsage
	}
	if _, err := os.Stat(*dbPath); err != nil {
		fmt.Fprintf(stderr, "coachimpact sql: %v\n", err)
		return exitUsage
	}
	if err := model.QueryCSV(ctx, *dbPath, fs.Arg(0), stdout); err != nil {
		fmt.Fprintf(stderr, "coachimpact sql: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// cmdSalt writes a new redaction salt: 32 random bytes as hex, mode 0600.
// It never overwrites a file: a district's salt, once outputs were shared
// under it, must stay the same.
func cmdSalt(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "usage: coachimpact salt FILE\n")
		return exitUsage
	}
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	f, err := os.OpenFile(args[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintf(stderr, "coachimpact salt: %v\n", err)
		return exitFailed
	}
	_, err = fmt.Fprintln(f, hex.EncodeToString(b))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "coachimpact salt: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "wrote a new salt to %s; keep it secret and keep it: the same salt gives the same hashes every night\n", args[0])
	return exitOK
}
