package identity

import (
	"strings"
)

// commonNames are usernames many strangers pick: first names and words.
var commonNames = map[string]bool{
	"john": true, "jane": true, "alex": true, "anna": true, "maria": true, "david": true, "michael": true,
	"sarah": true, "peter": true, "paul": true, "mark": true, "chris": true, "daniel": true, "james": true,
	"laura": true, "julia": true, "thomas": true, "martin": true, "lucas": true, "sophie": true, "emma": true,
	"admin": true, "test": true, "user": true, "info": true, "hello": true, "contact": true, "dev": true,
	"mail": true, "me": true, "max": true, "sam": true, "ben": true, "tom": true, "lisa": true, "nina": true,
}

// countryNames are lower-case, accent-folded names and big cities that a
// free-text profile location may use for a region.
var countryNames = map[string][]string{
	"US": {"united states", "usa", "new york", "san francisco", "california", "seattle", "boston", "chicago", "texas", "austin", "los angeles"},
	"GB": {"united kingdom", "england", "london", "manchester", "scotland", "edinburgh"},
	"DE": {"germany", "deutschland", "berlin", "munich", "munchen", "hamburg", "koln", "frankfurt"},
	"FR": {"france", "paris", "lyon", "marseille", "toulouse"},
	"ES": {"spain", "espana", "madrid", "barcelona", "valencia", "sevilla"},
	"IT": {"italy", "italia", "rome", "roma", "milan", "milano"},
	"NL": {"netherlands", "nederland", "amsterdam", "rotterdam", "utrecht"},
	"CA": {"canada", "toronto", "montreal", "vancouver"},
	"AU": {"australia", "sydney", "melbourne", "brisbane"},
	"BR": {"brazil", "brasil", "sao paulo", "rio de janeiro"},
	"IN": {"india", "bangalore", "bengaluru", "mumbai", "delhi"},
	"JP": {"japan", "tokyo", "osaka"},
	"MX": {"mexico", "guadalajara", "monterrey"},
	"SE": {"sweden", "sverige", "stockholm"},
	"PL": {"poland", "polska", "warsaw", "warszawa", "krakow"},
	"CH": {"switzerland", "schweiz", "zurich", "geneva", "geneve"},
}

// countryLanguages returns the languages (ISO 639-1) most of a region's
// people write in besides English, which anyone may write in.
func countryLanguages(code string) []string {
	switch strings.ToUpper(code) {
	case "DE", "AT", "LI":
		return []string{"de"}
	case "CH":
		return []string{"de", "fr", "it"}
	case "FR", "MC":
		return []string{"fr"}
	case "BE":
		return []string{"fr", "nl"}
	case "LU":
		return []string{"fr", "de"}
	case "CA":
		return []string{"fr"}
	case "ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "UY", "PY", "BO", "CR", "PA", "DO", "GT", "HN", "SV", "NI", "CU":
		return []string{"es"}
	case "IT", "SM":
		return []string{"it"}
	case "NL", "SR":
		return []string{"nl"}
	case "BR", "PT", "AO", "MZ":
		return []string{"pt"}
	}
	return nil
}

// platformNames are the platforms' names as people write them, for
// evidence sentences.
var platformNames = map[string]string{
	"github": "GitHub", "gitlab": "GitLab", "devto": "dev.to", "hackernews": "Hacker News",
	"keybase": "Keybase", "reddit": "Reddit", "mastodon": "Mastodon", "bluesky": "Bluesky",
	"gravatar": "Gravatar", "website": "the website", "x": "X (Twitter)",
}

// platformName is a source's name as people write it.
func platformName(source string) string {
	if n, ok := platformNames[source]; ok {
		return n
	}
	return source
}
