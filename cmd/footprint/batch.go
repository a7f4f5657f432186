package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/footprint-oss/footprint/client"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// batchRunner is where a batch job runs: an in-process job engine, or a
// footprint server's /v1/jobs API.
type batchRunner interface {
	create(ctx context.Context, format string, body io.Reader) (*jobs.Job, error)
	get(ctx context.Context, id string) (*jobs.Job, error)
	resume(ctx context.Context, id string) (*jobs.Job, error)
	results(ctx context.Context, id, format string, w io.Writer) error
}

// batchState is kept next to the output while a run is unfinished, so that
// --resume finds its job.
type batchState struct {
	Job    string `json:"job"`
	Server string `json:"server,omitempty"`
	Input  string `json:"input"`
}

// Progress output.
const (
	plainProgressEvery = 5 * time.Second
	pollEvery          = 200 * time.Millisecond
)

func cmdBatch(ctx context.Context, args []string, e env) error {
	fs := newFlags("batch FILE -o OUT [flags]",
		"Enriches every row of a CSV (header row; columns email, phone, name, country found by\n"+
			"name, others passed through) or NDJSON file as a durable job, and writes the results\n"+
			"to OUT. In-process by default (jobs kept in the data folder), or on a running server\n"+
			"with --server. An interrupted run continues with --resume.", e)
	out := fs.String("o", "", "output file (required)")
	fs.StringVar(out, "output", "", "same as -o")
	format := fs.String("format", "", "output format: csv or ndjson (default: the output file's extension, else csv)")
	inFormat := fs.String("input-format", "", "input format: csv or ndjson (default: the input file's extension, else csv)")
	server := fs.String("server", "", "run the job on a footprint server at this URL (e.g. http://127.0.0.1:8080)")
	resume := fs.Bool("resume", false, "continue the interrupted run that writes OUT")
	only := fs.String("sources", "", "comma-separated sources to use (default: all)")
	exclude := fs.String("exclude-sources", "", "comma-separated sources to leave out")
	timeoutMS := fs.Int("timeout-ms", 0, "budget of each row in milliseconds (default 10000)")
	maxAge := fs.Int("max-age-s", -1, "use only cached evidence younger than this (0 refreshes)")
	dp := addDataPathFlags(fs, true, " (in-process)")
	// FILE comes first; flags may follow it.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" || *out == "" {
		return usageErr("give the input FILE and -o OUT")
	}
	outFormat, err := fileFormat(*format, *out, "--format")
	if err != nil {
		return err
	}
	inputFormat, err := fileFormat(*inFormat, file, "--input-format")
	if err != nil {
		return err
	}
	var opts pipeline.Options
	opts.Sources, opts.ExcludeSources = splitList(*only), splitList(*exclude)
	if *timeoutMS != 0 {
		opts.TimeoutMS = timeoutMS
	}
	if *maxAge >= 0 {
		opts.MaxAgeS = maxAge
	}

	var runner batchRunner
	if flagSet(fs, "server") {
		for _, f := range dp.names() {
			if flagSet(fs, f) {
				return usageErr("--%s configures the in-process engine; it has no effect with --server", f)
			}
		}
		r, err := newRemoteBatch(*server, opts)
		if err != nil {
			return err
		}
		runner = r
	} else {
		cfg, err := dp.load(fs, e, nil)
		if err != nil {
			return err
		}
		a, err := buildApp(ctx, cfg, newLogger(cfg, io.Discard), buildOptions{cache: true, jobs: true, privacy: true})
		if err != nil {
			return err
		}
		defer a.close()
		runner = localBatch{m: a.jobs, opts: opts}
	}

	statePath := *out + ".footprint-job"
	job, err := startBatch(ctx, runner, statePath, batchState{Server: *server, Input: file}, inputFormat, *resume)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "job %s: %d rows\n", job.ID, job.Total)
	job, err = followBatch(ctx, runner, job, e.stderr)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted at row %d of %d; run the same command with --resume to continue", job.Done, job.Total)
		}
		return err
	}
	if err := writeResults(ctx, runner, job.ID, outFormat, *out); err != nil {
		return err
	}
	_ = os.Remove(statePath)
	fmt.Fprintf(e.stderr, "%s: %d rows (%d failed, %d incomplete) at %.1f rows/s → %s\n",
		job.State, job.Done, job.Failed, job.Incomplete, job.RowsPerS, *out)
	if job.State != jobs.StateSucceeded {
		return fmt.Errorf("job %s ended %s: %s", job.ID, job.State, job.Error)
	}
	return nil
}

// fileFormat is the explicit format, else the one of name's extension
// (.ndjson, .jsonl), else csv.
func fileFormat(explicit, name, flag string) (string, error) {
	switch strings.ToLower(explicit) {
	case jobs.FormatCSV, jobs.FormatNDJSON:
		return strings.ToLower(explicit), nil
	case "":
	default:
		return "", usageErr("%s %q: want csv or ndjson", flag, explicit)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl":
		return jobs.FormatNDJSON, nil
	}
	return jobs.FormatCSV, nil
}

// startBatch creates the job, or with resume finds the one statePath names.
func startBatch(ctx context.Context, r batchRunner, statePath string, st batchState, format string, resume bool) (*jobs.Job, error) {
	if resume {
		b, err := os.ReadFile(statePath)
		if err != nil {
			return nil, usageErr("--resume: no interrupted run writes this output (%v)", err)
		}
		var prev batchState
		if err := json.Unmarshal(b, &prev); err != nil || prev.Job == "" {
			return nil, usageErr("--resume: %s is not a footprint job state file", statePath)
		}
		if prev.Server != st.Server || prev.Input != st.Input {
			return nil, usageErr("--resume: the interrupted run read %s on %q; run it with the same FILE and --server", prev.Input, prev.Server)
		}
		job, err := r.get(ctx, prev.Job)
		if err != nil {
			return nil, err
		}
		if job.State == jobs.StatePaused {
			return r.resume(ctx, job.ID)
		}
		return job, nil
	}
	if _, err := os.Stat(statePath); err == nil {
		return nil, usageErr("an interrupted run writes this output (%s): continue it with --resume, or delete that file", statePath)
	}
	f, err := os.Open(st.Input)
	if err != nil {
		return nil, errUsage{err}
	}
	defer f.Close()
	job, err := r.create(ctx, format, f)
	if err != nil {
		return nil, err
	}
	st.Job = job.ID
	b, _ := json.Marshal(st)
	if err := os.WriteFile(statePath, b, 0o600); err != nil {
		return nil, err
	}
	return job, nil
}

// followBatch reports progress until the job is final: a progress bar on a
// terminal, a plain line every few seconds otherwise.
func followBatch(ctx context.Context, r batchRunner, job *jobs.Job, w io.Writer) (*jobs.Job, error) {
	var bar *progressbar.ProgressBar
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		bar = progressbar.NewOptions64(job.Total, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("enriching"), progressbar.OptionShowCount(),
			progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth(),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	lastLine := time.Now()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !job.State.Final() {
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case <-tick.C:
		}
		cur, err := r.get(ctx, job.ID)
		if err != nil {
			if ctx.Err() != nil {
				return job, ctx.Err()
			}
			return job, err
		}
		job = cur
		switch {
		case bar != nil:
			_ = bar.Set64(job.Done)
		case time.Since(lastLine) >= plainProgressEvery && !job.State.Final():
			lastLine = time.Now()
			eta := "?"
			if job.ETAS != nil {
				eta = (time.Duration(*job.ETAS) * time.Second).String()
				if job.ETABasis == jobs.ETALimits {
					eta += " (estimated from the sources' limits)"
				}
			}
			fmt.Fprintf(w, "%s: %d/%d rows (%d failed), %.1f rows/s, ETA %s\n",
				job.State, job.Done, job.Total, job.Failed, job.RowsPerS, eta)
		}
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(w)
	}
	return job, nil
}

// writeResults writes the job's results to path through a temporary file,
// so that a failure never leaves a half-written output behind.
func writeResults(ctx context.Context, r batchRunner, id, format, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := r.results(ctx, id, format, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; results are an ordinary file.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// localBatch runs jobs on an in-process job engine.
type localBatch struct {
	m    *jobs.Manager
	opts pipeline.Options
}

func (l localBatch) create(ctx context.Context, format string, body io.Reader) (*jobs.Job, error) {
	job, err := l.m.Create(ctx, jobs.CreateRequest{Format: format, Body: body, Options: l.opts})
	var ie *pipeline.InputError
	if errors.As(err, &ie) {
		return nil, errUsage{err}
	}
	return job, err
}
func (l localBatch) get(ctx context.Context, id string) (*jobs.Job, error) { return l.m.Get(ctx, id) }
func (l localBatch) resume(ctx context.Context, id string) (*jobs.Job, error) {
	return l.m.Resume(ctx, id)
}
func (l localBatch) results(ctx context.Context, id, format string, w io.Writer) error {
	return l.m.Results(ctx, id, format, w)
}

// remoteBatch runs jobs on a footprint server through the generated client.
type remoteBatch struct {
	base string
	c    *client.Client
	opts pipeline.Options
}

func newRemoteBatch(server string, opts pipeline.Options) (*remoteBatch, error) {
	base, err := serverURL(server)
	if err != nil {
		return nil, errUsage{err}
	}
	// No overall timeout: an upload or a result download may take long;
	// each call is bounded by ctx and the server's own timeouts.
	c, err := client.NewClient(base, client.WithHTTPClient(&http.Client{}))
	if err != nil {
		return nil, errUsage{fmt.Errorf("--server: %w", err)}
	}
	return &remoteBatch{base: base, c: c, opts: opts}, nil
}

// decodeJob reads a Job answer (want) or turns any other into an error.
func (r *remoteBatch) decodeJob(res *http.Response, err error, want int) (*jobs.Job, error) {
	if err != nil {
		return nil, fmt.Errorf("calling %s: %w", r.base, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s's answer: %w", r.base, err)
	}
	if res.StatusCode != want {
		return nil, remoteError(r.base, res, body)
	}
	var j jobs.Job
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, fmt.Errorf("%s answered a job that is not JSON: %w", r.base, err)
	}
	return &j, nil
}

func (r *remoteBatch) create(ctx context.Context, format string, body io.Reader) (*jobs.Job, error) {
	o := r.opts
	p := client.CreateJobParams{TimeoutMs: o.TimeoutMS, MaxAgeS: o.MaxAgeS}
	if len(o.Sources) > 0 {
		p.Sources = &o.Sources
	}
	if len(o.ExcludeSources) > 0 {
		p.ExcludeSources = &o.ExcludeSources
	}
	ct := "text/csv"
	if format == jobs.FormatNDJSON {
		ct = "application/x-ndjson"
	}
	res, err := r.c.CreateJobWithBody(ctx, &p, ct, body)
	return r.decodeJob(res, err, http.StatusAccepted)
}

func (r *remoteBatch) get(ctx context.Context, id string) (*jobs.Job, error) {
	res, err := r.c.GetJob(ctx, id, nil)
	return r.decodeJob(res, err, http.StatusOK)
}

func (r *remoteBatch) resume(ctx context.Context, id string) (*jobs.Job, error) {
	res, err := r.c.ResumeJob(ctx, id, nil)
	return r.decodeJob(res, err, http.StatusOK)
}

func (r *remoteBatch) results(ctx context.Context, id, format string, w io.Writer) error {
	f := client.GetJobResultsParamsFormat(format)
	res, err := r.c.GetJobResults(ctx, id, &client.GetJobResultsParams{Format: &f})
	if err != nil {
		return fmt.Errorf("calling %s: %w", r.base, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		return remoteError(r.base, res, body)
	}
	_, err = io.Copy(w, res.Body)
	return err
}
