package evaluate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers/avatar"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/evaluate"
	"github.com/footprint-oss/footprint/internal/harness/sim"
)

// TestPhotosFetched: the avatar URL footprint reads from each platform is
// one the platform's CDN serves. Every found account of these platforms
// showing a photo of its own (not a platform default, which the avatar
// source skips) carries the photo the avatar source read from it.
func TestPhotosFetched(t *testing.T) {
	customHost := map[string]string{
		"reddit":  "https://styles.redditmedia.com/",                     // icon_img, its &amp; undone
		"keybase": "https://s3.amazonaws.com/keybase_processed_uploads/", // pictures.primary.url, asked for with fields=pictures
	}
	w := newWorld(t, 5, 300, true)
	var people []sim.Person
	for _, p := range w.sim.People() {
		if len(people) < 40 && slices.ContainsFunc(p.Truth.Accounts, func(a sim.AccountRef) bool { return customHost[a.Source] != "" }) {
			people = append(people, p)
		}
	}
	zero, budget := 0.0, 30000 // the most a request may ask: load must not leave the photo round out
	outs := evaluate.Run(context.Background(), w.svc, people, 4, pipeline.Options{MinProbability: &zero, TimeoutMS: &budget}, true)
	custom := map[string]int{}
	for _, o := range outs {
		if o.Err != nil {
			t.Fatalf("%s: %v", o.Person.Email, o.Err)
		}
		for _, a := range o.Profile.Accounts {
			host, ok := customHost[a.Source]
			if !ok || avatar.Default(a.Avatar) != "" {
				continue
			}
			if a.Photo == nil || !strings.HasPrefix(a.Avatar, host) {
				t.Errorf("%s %s: avatar %s not read", a.Source, a.Username, a.Avatar)
				continue
			}
			custom[a.Source]++
		}
	}
	for src := range customHost {
		if custom[src] == 0 {
			t.Errorf("%s: no custom photo read (of %d people looked up)", src, len(people))
		}
	}
	t.Logf("custom photos read: %v", custom)
}
