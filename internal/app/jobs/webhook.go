package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/enrichers/transport/netguard"
)

// Webhook headers.
const (
	HeaderSignature = "X-Footprint-Signature"
	HeaderTimestamp = "X-Footprint-Timestamp"
	HeaderEvent     = "X-Footprint-Event"
	HeaderDelivery  = "X-Footprint-Delivery"
)

// Webhook events.
const (
	EventProgress  = "job.progress"
	EventSucceeded = "job.succeeded"
	EventFailed    = "job.failed"
	EventCancelled = "job.cancelled"
)

// WebhookPayload is the JSON body of a webhook.
type WebhookPayload struct {
	Event  string    `json:"event"`
	SentAt time.Time `json:"sent_at"`
	Job    Job       `json:"job"`
}

// Sign returns the X-Footprint-Signature value for body sent at timestamp
// (Unix seconds, as in X-Footprint-Timestamp): "sha256=" and the hex
// HMAC-SHA256 of timestamp + "." + body under secret.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Signature verification errors.
var (
	ErrSignatureMismatch  = errors.New("jobs: webhook signature does not match")
	ErrSignatureExpired   = errors.New("jobs: webhook timestamp outside the tolerance")
	ErrSignatureMalformed = errors.New("jobs: webhook signature or timestamp malformed")
)

// VerifySignature checks a webhook as its receiver should: sig must be
// Sign(secret, timestamp, body) and timestamp within tolerance of now (which
// rejects replays of old deliveries).
func VerifySignature(secret, timestamp, body, sig string, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrSignatureMalformed, timestamp)
	}
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return fmt.Errorf("%w: want sha256=<hex>", ErrSignatureMalformed)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignatureMalformed, err)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, timestamp, []byte(body)), "sha256="))
	if !hmac.Equal(got, want) {
		return ErrSignatureMismatch
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureExpired
	}
	return nil
}

// deliver POSTs payload to target, retrying transport errors, 408, 429 and
// 5xx with exponential backoff; other 4xx are final. It returns the last
// error when every attempt failed.
func (m *Manager) deliver(ctx context.Context, target, secret string, payload WebhookPayload, attempts int) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	delivery := rand.Text()
	backoff := m.cfg.WebhookBackoff
	for attempt := 1; ; attempt++ {
		retry, err := m.post(ctx, target, secret, payload.Event, delivery, body)
		if err == nil {
			return nil
		}
		if !retry || attempt >= attempts {
			return err
		}
		m.log.LogAttrs(ctx, slog.LevelWarn, "webhook attempt failed",
			slog.String("job", payload.Job.ID), slog.Int("attempt", attempt), slog.String("error", err.Error()))
		if err := transport.Sleep(ctx, backoff); err != nil {
			return err
		}
		backoff = min(backoff*2, 5*time.Minute)
	}
}

func (m *Manager) post(ctx context.Context, target, secret, event, delivery string, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	ts := strconv.FormatInt(m.now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "footprint-webhooks/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	req.Header.Set(HeaderEvent, event)
	req.Header.Set(HeaderDelivery, delivery)
	resp, err := m.cfg.HTTPClient.Do(req)
	if err != nil {
		// The client's error names the URL: keep its query string (often a
		// token) out of the message and so out of the logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = withoutQuery(ue.URL)
		}
		if ge, ok := netguard.IsRefusal(err); ok {
			// The SSRF guard said no: asking again changes nothing.
			m.log.LogAttrs(ctx, slog.LevelDebug, "webhook refused by the SSRF guard", slog.String("detail", ge.Detail()))
			return false, fmt.Errorf("webhook: %w (not retried)", err)
		}
		return ctx.Err() == nil || errors.Is(err, context.DeadlineExceeded), fmt.Errorf("webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return true, fmt.Errorf("webhook: %s", resp.Status)
	default:
		return false, fmt.Errorf("webhook: %s (not retried)", resp.Status)
	}
}

// withoutQuery is raw without its query string and fragment (and any
// userinfo), for messages.
func withoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	return u.String()
}
