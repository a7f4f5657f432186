package sim

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// --- RDAP ---

func (s *Sim) serveRDAP(w http.ResponseWriter, _ *http.Request, host, rest string) {
	if host == "data.iana.org" {
		if rest != "/rdap/dns.json" {
			http.NotFound(w, nil)
			return
		}
		writeJSONType(w, http.StatusOK, "application/json", rdapBootstrap())
		return
	}
	name := rdapDomain(rest)
	d := s.w.domains[name]
	if d == nil {
		writeJSONType(w, http.StatusNotFound, "application/rdap+json", map[string]any{
			"rdapConformance": []string{"rdap_level_0"},
			"errorCode":       404, "title": "Not Found",
			"description": []string{"The domain " + name + " was not found in the registry."},
		})
		return
	}
	writeJSONType(w, http.StatusOK, "application/rdap+json", s.rdapDomainObject(d, "https://"+host+rest))
}

func rdapTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (s *Sim) rdapDomainObject(d *domainInfo, self string) map[string]any {
	ldh := d.name
	if strings.HasSuffix(ldh, ".com") || strings.HasSuffix(ldh, ".net") {
		ldh = strings.ToUpper(ldh)
	}
	tld := d.name[strings.LastIndex(d.name, ".")+1:]
	reg := d.registrar
	status := []string{"client transfer prohibited"}
	if d.kind == "free" {
		status = append(status, "client delete prohibited", "client update prohibited", "server delete prohibited", "server transfer prohibited", "server update prohibited")
	}
	var ns []map[string]any
	for _, n := range []string{"ns1.", "ns2."} {
		ns = append(ns, map[string]any{"objectClassName": "nameserver", "ldhName": strings.ToUpper(n + d.name)})
	}
	return map[string]any{
		"objectClassName": "domain",
		"handle":          fmt.Sprintf("%d_DOMAIN_%s-VRSN", hash64(d.name)%4000000000, strings.ToUpper(tld)),
		"ldhName":         ldh,
		"links":           []map[string]string{{"value": self, "rel": "self", "href": self, "type": "application/rdap+json"}},
		"status":          status,
		"entities": []map[string]any{{
			"objectClassName": "entity",
			"handle":          strconv.Itoa(reg.id),
			"roles":           []string{"registrar"},
			"publicIds":       []map[string]string{{"type": "IANA Registrar ID", "identifier": strconv.Itoa(reg.id)}},
			"vcardArray":      []any{"vcard", []any{[]any{"version", map[string]any{}, "text", "4.0"}, []any{"fn", map[string]any{}, "text", reg.name}}},
			"entities": []map[string]any{{
				"objectClassName": "entity",
				"roles":           []string{"abuse"},
				"vcardArray": []any{"vcard", []any{
					[]any{"version", map[string]any{}, "text", "4.0"},
					[]any{"fn", map[string]any{}, "text", ""},
					[]any{"email", map[string]any{}, "text", "abuse@" + slug(reg.name) + ".example"},
				}},
			}},
		}},
		"events": []map[string]string{
			{"eventAction": "registration", "eventDate": rdapTime(d.registered)},
			{"eventAction": "expiration", "eventDate": rdapTime(d.expires)},
			{"eventAction": "last changed", "eventDate": rdapTime(d.updated)},
			{"eventAction": "last update of RDAP database", "eventDate": rdapTime(s.cfg.Now)},
		},
		"secureDNS":       map[string]bool{"delegationSigned": false},
		"nameservers":     ns,
		"rdapConformance": []string{"rdap_level_0", "icann_rdap_technical_implementation_guide_0", "icann_rdap_response_profile_0"},
		"notices": []map[string]any{{
			"title":       "Terms of Use",
			"description": []string{"Service subject to Terms of Use."},
		}},
	}
}

// rdapBootstrap is the IANA DNS bootstrap file for the simulated TLDs.
func rdapBootstrap() map[string]any {
	return map[string]any{
		"description": "RDAP bootstrap file for Domain Name System registrations",
		"publication": "2026-10-28T19:00:01Z",
		"version":     "1.0",
		"services": [][][]string{
			{{"com"}, {"https://rdap.verisign.com/com/v1/"}},
			{{"net"}, {"https://rdap.verisign.com/net/v1/"}},
			{{"org"}, {"https://rdap.publicinterestregistry.org/rdap/"}},
			{{"io", "me", "biz", "online", "mx", "cc"}, {"https://rdap.identitydigital.services/rdap/"}},
			{{"dev"}, {"https://pubapi.registry.google/rdap/"}},
			{{"co"}, {"https://rdap.registry.co/co/"}},
			{{"fr"}, {"https://rdap.nic.fr/"}},
			{{"de"}, {"https://rdap.denic.de/"}},
			{{"uk"}, {"https://rdap.nominet.uk/uk/"}},
			{{"nl"}, {"https://rdap.sidn.nl/"}},
			{{"ca"}, {"https://rdap.ca.fury.ca/rdap/"}},
			{{"au"}, {"https://rdap.cctld.au/rdap/"}},
			{{"br"}, {"https://rdap.registro.br/"}},
			{{"in"}, {"https://rdap.nixiregistry.in/rdap/"}},
			{{"it"}, {"https://rdap.nic.it/"}},
			{{"es"}, {"https://rdap.nic.es/"}},
		},
	}
}

// --- websites ---

func (s *Sim) serveWebsite(w http.ResponseWriter, _ *http.Request, host, rest string) {
	d := s.w.domains[strings.TrimPrefix(host, "www.")]
	w.Header().Set("Server", "nginx")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if d.site == nil || (rest != "/" && rest != "/index.html") {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n")
		return
	}
	w.Header().Set("Cache-Control", "max-age=600")
	fmt.Fprint(w, renderSite(d))
}

func renderSite(d *domainInfo) string {
	site := d.site
	e := html.EscapeString
	url := "https://" + d.name + "/"
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", e(site.htmlLang))
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n", e(site.title))
	if site.description != "" {
		fmt.Fprintf(&b, "<meta name=\"description\" content=\"%s\">\n", e(site.description))
	}
	if len(site.keywords) > 0 {
		fmt.Fprintf(&b, "<meta name=\"keywords\" content=\"%s\">\n", e(strings.Join(site.keywords, ", ")))
	}
	fmt.Fprintf(&b, "<meta property=\"og:site_name\" content=\"%s\">\n", e(site.siteName))
	fmt.Fprintf(&b, "<meta property=\"og:title\" content=\"%s\">\n", e(site.title))
	fmt.Fprintf(&b, "<meta property=\"og:url\" content=\"%s\">\n", e(url))
	if site.description != "" {
		fmt.Fprintf(&b, "<meta property=\"og:description\" content=\"%s\">\n", e(site.description))
	}
	switch site.kind {
	case "company", "placeholder":
		b.WriteString("<meta property=\"og:type\" content=\"website\">\n")
		ld := map[string]any{"@context": "https://schema.org", "@type": "Organization", "name": site.orgName, "url": url}
		if site.kind == "company" {
			ld["logo"] = url + "static/logo.png"
			ld["description"] = site.description
			ld["foundingDate"] = site.founded
			ld["keywords"] = strings.Join(site.keywords, ", ")
			ld["address"] = map[string]string{"@type": "PostalAddress", "addressCountry": site.country}
			ld["sameAs"] = site.socials
		}
		writeLD(&b, ld)
	case "personal":
		b.WriteString("<meta property=\"og:type\" content=\"profile\">\n")
		for _, l := range site.socials {
			fmt.Fprintf(&b, "<link rel=\"me\" href=\"%s\">\n", e(l))
		}
		writeLD(&b, map[string]any{"@context": "https://schema.org", "@type": "Person", "name": site.personName, "url": url,
			"jobTitle": site.jobTitle, "description": site.description, "sameAs": site.socials,
			"address": map[string]string{"@type": "PostalAddress", "addressCountry": site.country}})
	}
	b.WriteString("<link rel=\"canonical\" href=\"" + e(url) + "\">\n</head>\n<body>\n")
	switch site.kind {
	case "parked":
		fmt.Fprintf(&b, "<div class=\"parked\"><h1>%s</h1><p>This domain may be for sale. Inquire now.</p>"+
			"<p>Related searches: email login, free email, webmail</p></div>\n", e(d.name))
	default:
		fmt.Fprintf(&b, "<header><h1>%s</h1></header>\n<main>\n", e(site.siteName))
		for _, p := range site.body {
			fmt.Fprintf(&b, "<p>%s</p>\n", e(p))
		}
		b.WriteString("</main>\n<footer>\n")
		for _, l := range site.socials {
			rel := "noopener"
			if site.kind == "personal" {
				rel = "me noopener"
			}
			fmt.Fprintf(&b, "<a href=\"%s\" rel=\"%s\">%s</a>\n", e(l), rel, e(socialLabel(l)))
		}
		if site.orgName != "" {
			fmt.Fprintf(&b, "<p>&copy; %s</p>\n", e(site.orgName))
		}
		b.WriteString("</footer>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

func writeLD(b *strings.Builder, v any) {
	j, _ := json.Marshal(v) // escapes <, > and & so the script cannot be closed early
	b.WriteString("<script type=\"application/ld+json\">")
	b.Write(j)
	b.WriteString("</script>\n")
}

func socialLabel(u string) string {
	for _, p := range []struct{ host, label string }{
		{"linkedin.com", "LinkedIn"}, {"x.com", "X"}, {"facebook.com", "Facebook"}, {"github.com", "GitHub"},
		{"gitlab.com", "GitLab"}, {"mastodon.social", "Mastodon"}, {"bsky.app", "Bluesky"}, {"keybase.io", "Keybase"},
		{"reddit.com", "Reddit"}, {"ycombinator.com", "Hacker News"}, {"dev.to", "DEV"},
	} {
		if strings.Contains(u, p.host) {
			return p.label
		}
	}
	return u
}
