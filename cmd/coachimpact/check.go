package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/coachimpact/coachimpact/pipeline"
)

// cmdCheck is `coachimpact check`: a dry run that writes nothing and says
// what a run would read, reject and estimate.
func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", stderr)
	var in inputFlags
	in.register(fs)
	suggest := fs.Bool("suggest", false, "also print a starter mapping for the files and columns not placed")
	format := fs.String("format", "text", "output format: text or json")
	fs.String("out", "", "ignored: a run's --out, taken so that its command line can be checked as is (nothing is written there)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "coachimpact check: --format %q: want text or json\n", *format)
		return exitUsage
	}
	cfg, ok := in.load(stderr)
	if !ok {
		return exitUsage
	}
	if cfg.Input == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "coachimpact check: --input is required, and takes no other arguments\n%s", usage)
		return exitUsage
	}
	rep, err := pipeline.Check(ctx, pipeline.Options{Input: cfg.Input, Config: cfg})
	if err != nil {
		fmt.Fprintf(stderr, "coachimpact: %v\n", err)
		return pipeline.ExitCode(nil, err)
	}
	code := rep.ExitCode()
	var mapping string
	if *suggest {
		mapping = pipeline.Suggest(rep)
	}
	if *format == "json" {
		out := struct {
			*pipeline.CheckReport
			ExitCode int    `json:"exit_code"`
			Mapping  string `json:"suggested_mapping,omitempty"`
		}{rep, code, mapping}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "coachimpact: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return code
	}
	rep.WriteText(stdout)
	if *suggest {
		fmt.Fprintf(stdout, "\n== suggested mapping (a starter: check each line, then pass it with --config)\n%s", mapping)
	}
	return code
}
