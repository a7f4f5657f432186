package pipeline

import (
	"math"
	"strconv"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring"
)

// The response's JSON, written by hand for the blocks every lookup
// returns (the head, the email and phone facts, the scores, the sources'
// statuses): the bytes gojson.Marshal writes for them by reflection
// (TestAppendJSONIsReflection compares the two on random values), without
// its per-call set-up, and without the MarshalJSON call and the re-parse
// of its output that every time.Time costs it. Blocks whose types are
// large or rare (accounts, DNS, domain, company, breach) are left to
// gojson.Marshal.
//
// Every appender reports false when a value has no JSON (a non-finite
// float, a time outside years 0–9999 or with a zone offset in seconds):
// the caller then marshals by reflection, which returns the error.

// jsonOut is JSON being written: the buffer, and whether a value so far
// had no JSON. It is passed and returned by value (o = o.str(…)), so the
// buffer stays in registers: no write barrier per append.
type jsonOut struct {
	b   []byte
	bad bool
}

// key writes a field's key: the comma before it (or the brace opening
// the object, for its first field), the quoted name and the colon, as one
// literal (`,"name":`; names need no escaping).
func (o jsonOut) key(k string) jsonOut {
	o.b = append(o.b, k...)
	return o
}

func (o jsonOut) close() jsonOut {
	o.b = append(o.b, '}')
	return o
}

func (o jsonOut) null() jsonOut {
	o.b = append(o.b, "null"...)
	return o
}

func (o jsonOut) str(v string) jsonOut {
	o.b = appendJSONString(o.b, v)
	return o
}

func (o jsonOut) strOmit(key, v string) jsonOut {
	if v == "" {
		return o
	}
	return o.key(key).str(v)
}

func (o jsonOut) boolean(v bool) jsonOut {
	o.b = strconv.AppendBool(o.b, v)
	return o
}

func (o jsonOut) integer(v int64) jsonOut {
	o.b = strconv.AppendInt(o.b, v, 10)
	return o
}

// float writes v as gojson does: the shortest representation, in
// exponent form below 1e-6 and from 1e21 on (with a two-digit exponent
// kept as strconv writes it, 1e-07: encoding/json would write 1e-7).
func (o jsonOut) float(v float64) jsonOut {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		o.bad = true
		o.b = append(o.b, '0')
		return o
	}
	f := byte('f')
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		f = 'e'
	}
	o.b = strconv.AppendFloat(o.b, v, f, -1, 64)
	return o
}

func (o jsonOut) floatOmit(key string, v float64) jsonOut {
	if v == 0 {
		return o
	}
	return o.key(key).float(v)
}

// time writes t as time.Time's MarshalJSON does (RFC 3339 with the
// sub-second digits that are not zero).
func (o jsonOut) time(t time.Time) jsonOut {
	if y := t.Year(); y < 0 || y > 9999 {
		o.bad = true
	} else if _, off := t.Zone(); off%60 != 0 {
		o.bad = true
	}
	o.b = append(o.b, '"')
	o.b = t.AppendFormat(o.b, time.RFC3339Nano)
	o.b = append(o.b, '"')
	return o
}

// array writes xs as a JSON array (null when nil), each element by elem.
func array[T any](o jsonOut, xs []T, elem func(jsonOut, *T) jsonOut) jsonOut {
	if xs == nil {
		return o.null()
	}
	o.b = append(o.b, '[')
	for i := range xs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o = elem(o, &xs[i])
	}
	o.b = append(o.b, ']')
	return o
}

func (o jsonOut) strings(v []string) jsonOut {
	return array(o, v, func(o jsonOut, s *string) jsonOut { return o.str(*s) })
}

// raw writes v's JSON by reflection (the blocks not written by hand).
func (o jsonOut) raw(v any) jsonOut {
	b, err := gojson.Marshal(v)
	if err != nil {
		o.bad = true
		return o
	}
	o.b = append(o.b, b...)
	return o
}

// appendJSONString appends s quoted as gojson.Marshal quotes it: with
// <, > and & escaped for HTML, U+2028 and U+2029 escaped, invalid UTF-8
// replaced by U+FFFD. Strings of printable ASCII but DEL (nearly all of
// a response's) are copied as they are; others are quoted by gojson.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, err := gojson.Marshal(s)
			if err != nil { // a string always has a JSON form
				panic(err)
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// head writes p's object up to its derived part (left open).
func (o jsonOut) head(p *Profile) jsonOut {
	o = o.key(`{"generated_at":`).time(p.GeneratedAt)
	o = o.key(`,"simulated":`).boolean(p.Simulated)
	o = o.key(`,"complete":`).boolean(p.Complete)
	o = o.strOmit(`,"purpose":`, p.Purpose)
	if p.Suppressed {
		o = o.key(`,"suppressed":`).boolean(true)
	}
	if len(p.Withheld) > 0 {
		o = o.key(`,"withheld":`).strings(p.Withheld)
	}
	o = o.key(`,"subject":`)
	// Each field after the brace or a comma (sep).
	sub, sep := &p.Subject, byte('{')
	field := func(o jsonOut, key string) jsonOut {
		o.b = append(o.b, sep)
		sep = ','
		return o.key(key)
	}
	if e := sub.Email; e != nil {
		o = field(o, `"email":`)
		o = o.key(`{"address":`).str(e.Address)
		o = o.key(`,"canonical":`).str(e.Canonical)
		o = o.key(`,"domain":`).str(e.Domain)
		o = o.strOmit(`,"provider":`, e.Provider).close()
	}
	if ph := sub.Phone; ph != nil {
		o = field(o, `"phone":`)
		o = o.key(`{"e164":`).str(ph.E164)
		o = o.strOmit(`,"region":`, ph.Region)
		o = o.key(`,"valid":`).boolean(ph.Valid).close()
	}
	if sub.Name != "" {
		o = field(o, `"name":`).str(sub.Name)
	}
	if sub.Country != "" {
		o = field(o, `"country":`).str(sub.Country)
	}
	if sep == '{' {
		o.b = append(o.b, '{')
	}
	return o.close()
}

// derived writes d's fields, each after a comma; a nil score block is left
// out (withheld).
func (o jsonOut) derived(d *Derived, interests *[]scoring.Interest, influence *scoring.InfluenceScore, risk *scoring.RiskScore, verification *scoring.VerificationResult) jsonOut {
	if d.Email != nil {
		o = o.key(`,"email":`).emailFacts(d.Email)
	}
	if d.Phone != nil {
		o = o.key(`,"phone":`).phoneFacts(d.Phone)
	}
	if d.DNS != nil {
		o = o.key(`,"dns":`).raw(d.DNS)
	}
	if d.Domain != nil {
		o = o.key(`,"domain":`).raw(d.Domain)
	}
	if d.Company != nil {
		o = o.key(`,"company":`).raw(d.Company)
	}
	if d.Breach != nil {
		o = o.key(`,"breach":`).raw(d.Breach)
	}
	o = o.key(`,"accounts":`)
	if len(d.Accounts) == 0 && d.Accounts != nil {
		o.b = append(o.b, '[', ']')
	} else {
		o = o.raw(d.Accounts)
	}
	if interests != nil {
		o = array(o.key(`,"interests":`), *interests, jsonOut.interest)
	}
	if influence != nil {
		o = o.key(`,"influence":`).influence(influence)
	}
	if risk != nil {
		o = o.key(`,"risk":`).risk(risk)
	}
	if verification != nil {
		o = o.key(`,"verification":`).verification(verification)
	}
	return o
}

func (o jsonOut) emailFacts(e *enrichers.EmailFacts) jsonOut {
	o = o.key(`{"valid":`).boolean(e.Valid)
	o = o.strOmit(`,"reason":`, e.Reason)
	o = o.key(`,"domain":`).str(e.Domain)
	o = o.key(`,"free_provider":`).boolean(e.FreeProvider)
	o = o.key(`,"disposable":`).boolean(e.Disposable)
	o = o.key(`,"role_account":`).boolean(e.RoleAccount)
	return o.strOmit(`,"typo_suggestion":`, e.TypoSuggestion).close()
}

func (o jsonOut) phoneFacts(p *enrichers.PhoneFacts) jsonOut {
	o = o.key(`{"valid":`).boolean(p.Valid)
	o = o.key(`,"possible":`).boolean(p.Possible)
	o = o.key(`,"e164":`).str(p.E164)
	o = o.key(`,"national":`).str(p.National)
	o = o.key(`,"international":`).str(p.International)
	o = o.strOmit(`,"country":`, p.Country)
	o = o.key(`,"country_code":`).integer(int64(p.CountryCode))
	o = o.strOmit(`,"location":`, p.Location)
	o = o.strOmit(`,"carrier":`, p.Carrier)
	o = o.key(`,"line_type":`).str(p.LineType)
	if len(p.TimeZones) > 0 {
		o = o.key(`,"time_zones":`).strings(p.TimeZones)
	}
	return o.close()
}

func (o jsonOut) contribution(c *scoring.Contribution) jsonOut {
	o = o.key(`{"source":`).str(c.Source)
	o = o.strOmit(`,"account":`, c.Account)
	o = o.key(`,"signal":`).str(c.Signal)
	o = o.key(`,"contribution":`).float(c.Contribution)
	return o.floatOmit(`,"weight":`, c.Weight).close()
}

func (o jsonOut) interest(in *scoring.Interest) jsonOut {
	o = o.key(`{"id":`).str(in.ID)
	o = o.key(`,"name":`).str(in.Name)
	o = o.key(`,"probability":`).float(in.Probability)
	return array(o.key(`,"evidence":`), in.Evidence, jsonOut.contribution).close()
}

func (o jsonOut) influence(f *scoring.InfluenceScore) jsonOut {
	o = o.key(`{"score":`).float(f.Score)
	o = o.key(`,"tier":`).str(f.Tier)
	o = o.key(`,"probability_influencer":`).float(f.ProbabilityInfluencer)
	o = o.key(`,"reach":`).key(`{"expected":`).float(f.Reach.Expected)
	o = o.key(`,"low":`).float(f.Reach.Low)
	o = o.key(`,"high":`).float(f.Reach.High).close()
	return array(o.key(`,"evidence":`), f.Evidence, jsonOut.contribution).close()
}

func (o jsonOut) risk(r *scoring.RiskScore) jsonOut {
	o = o.key(`{"probability":`).float(r.Probability)
	o = o.key(`,"score":`).float(r.Score)
	o = o.key(`,"verdict":`).str(r.Verdict)
	return array(o.key(`,"reasons":`), r.Reasons, jsonOut.reason).close()
}

func (o jsonOut) reason(r *scoring.Reason) jsonOut {
	o = o.key(`{"code":`).str(r.Code)
	o = o.key(`,"description":`).str(r.Description)
	return o.key(`,"contribution":`).float(r.Contribution).close()
}

func (o jsonOut) verification(v *scoring.VerificationResult) jsonOut {
	o = o.key(`{"email_deliverable":`).optBool(v.EmailDeliverable)
	o = o.key(`,"phone_valid":`).optBool(v.PhoneValid)
	o = o.key(`,"name_match":`).optFloat(v.NameMatch)
	return o.key(`,"first_seen":`).optTime(v.FirstSeen).close()
}

// optBool, optFloat and optTime write a pointer's value, null for nil.
func (o jsonOut) optBool(v *bool) jsonOut {
	if v == nil {
		return o.null()
	}
	return o.boolean(*v)
}

func (o jsonOut) optFloat(v *float64) jsonOut {
	if v == nil {
		return o.null()
	}
	return o.float(*v)
}

func (o jsonOut) optTime(v *time.Time) jsonOut {
	if v == nil {
		return o.null()
	}
	return o.time(*v)
}

// sources writes ss as an array.
func (o jsonOut) sources(ss []SourceStatus) jsonOut {
	return array(o, ss, jsonOut.source)
}

func (o jsonOut) source(s *SourceStatus) jsonOut {
	o = o.key(`{"name":`).str(s.Name)
	o = o.key(`,"status":`).str(string(s.Status))
	o = o.key(`,"latency_ms":`).integer(s.LatencyMS)
	o = o.strOmit(`,"detail":`, s.Detail)
	o = o.key(`,"cached":`).boolean(s.Cached)
	if s.FetchedAt != nil {
		o = o.key(`,"fetched_at":`).time(*s.FetchedAt)
	}
	if s.AgeS != nil {
		o = o.key(`,"age_s":`).integer(*s.AgeS)
	}
	return o.close()
}
