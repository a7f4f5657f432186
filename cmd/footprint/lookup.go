package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/footprint-oss/footprint/internal/app/datadir"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

func cmdLookup(ctx context.Context, args []string, e env) error {
	fs := newFlags("lookup --email ADDRESS [--phone NUMBER] [--server URL] [flags]",
		"Enriches one email and/or phone number and prints the profile as JSON: in-process,\n"+
			"or through a running footprint server's API with --server.", e)
	var in pipeline.Input
	fs.StringVar(&in.Email, "email", "", "email address")
	fs.StringVar(&in.Phone, "phone", "", "phone number (international, or national with --country)")
	fs.StringVar(&in.Country, "country", "", "ISO 3166-1 region used to read national phone numbers (e.g. US)")
	fs.StringVar(&in.Name, "name", "", "the person's name, if known")
	timeoutMS := fs.Int("timeout-ms", 0, "overall budget in milliseconds (default 3000)")
	only := fs.String("sources", "", "comma-separated sources to use (default: all)")
	exclude := fs.String("exclude-sources", "", "comma-separated sources to leave out")
	pretty := fs.Bool("pretty", false, "indent the JSON")
	dp := addDataPathFlags(fs, true, "")
	server := fs.String("server", "", "call the API of a running footprint server at this URL (e.g. http://127.0.0.1:8080) instead of enriching in-process")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if in.Email == "" && in.Phone == "" {
		return usageErr("give --email and/or --phone")
	}
	if *timeoutMS != 0 {
		in.Options.TimeoutMS = timeoutMS
	}
	in.Options.Sources = splitList(*only)
	in.Options.ExcludeSources = splitList(*exclude)
	if flagSet(fs, "server") {
		// The server has its own configuration: flags that configure the
		// in-process data path would be silently ignored.
		for _, f := range dp.names() {
			if flagSet(fs, f) {
				return usageErr("--%s configures the in-process lookup; it has no effect with --server", f)
			}
		}
		return lookupRemote(ctx, *server, in, *pretty, e.stdout)
	}
	cfg, err := dp.load(fs, e, nil)
	if err != nil {
		return err
	}
	// Suppressions and purposes hold for in-process lookups too: a
	// suppressed subject is never sent upstream from here either. The
	// privacy store lives in the data folder (or database_url), so a
	// running server's folder is refused: ask that server instead.
	a, err := buildApp(ctx, cfg, newLogger(cfg, e.stderr), buildOptions{privacy: true})
	if errors.Is(err, datadir.ErrInUse) {
		return fmt.Errorf("%w (a server runs on it: use --server URL)", err)
	}
	if err != nil {
		return err
	}
	defer a.close()
	p, err := a.svc.Enrich(ctx, in)
	if err != nil {
		var ie *pipeline.InputError
		if errors.As(err, &ie) {
			return errUsage{ie}
		}
		return err
	}
	enc := json.NewEncoder(e.stdout)
	if *pretty {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(p)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
