package keyed

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
	"testing"
)

func TestSumIsHMACSHA256(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	h := New(secret)
	var wg sync.WaitGroup
	for _, msg := range []string{"", "email\x00a@b.example", "phone\x00+14155552671"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := hmac.New(sha256.New, secret)
			want.Write([]byte(msg))
			for range 3 { // pooled states are reset between uses
				if got := h.Sum([]byte(msg)); !hmac.Equal(got[:], want.Sum(nil)) {
					t.Errorf("Sum(%q) is not HMAC-SHA256", msg)
				}
				// SumStrings hashes the parts joined, whatever the cut.
				for cut := range len(msg) + 1 {
					if got := h.SumStrings(msg[:cut], msg[cut:]); !hmac.Equal(got[:], want.Sum(nil)) {
						t.Errorf("SumStrings(%q, %q) is not HMAC-SHA256 of them joined", msg[:cut], msg[cut:])
					}
				}
			}
		}()
	}
	wg.Wait()
	if New([]byte("other")).Sum([]byte("x")) == h.Sum([]byte("x")) {
		t.Error("different secrets, same sum")
	}
}
