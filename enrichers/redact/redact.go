// Package redact masks personal data in text that is about to be logged:
// panic values and unexpected errors can quote the email address or phone
// number a request carried, and those never reach a log.
package redact

import "regexp"

// pii matches what looks like an email address or a phone number.
var pii = regexp.MustCompile(`[\pL\pN._%+-]+@[\pL\pN.-]+|\+?\d[\d ().-]{5,}\d`)

// String masks email addresses and phone-like digit runs in s.
func String(s string) string { return pii.ReplaceAllString(s, "[redacted]") }
