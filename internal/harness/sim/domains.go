package sim

// Companies, their domains and websites.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

func companySuffix(cc string) string {
	switch cc {
	case "US", "CA":
		return "Inc."
	case "GB":
		return "Ltd"
	case "DE":
		return "GmbH"
	case "FR":
		return "SAS"
	case "ES":
		return "S.L."
	case "IT":
		return "S.r.l."
	case "NL":
		return "B.V."
	case "AU":
		return "Pty Ltd"
	case "BR":
		return "Ltda."
	case "IN":
		return "Pvt Ltd"
	case "MX":
		return "S.A. de C.V."
	}
	return ""
}

func (g *gen) pickCountry() country {
	return weighted(g, g.countries, func(c country) float64 { return c.weight })
}

// mailSetup gives d an MX/SPF/DMARC setup: kind is google, microsoft, own,
// fastmail, null or none.
func (g *gen) mailSetup(d *domainInfo, kind string) {
	switch kind {
	case "google":
		d.mx = []mxRecord{{1, "aspmx.l.google.com"}, {5, "alt1.aspmx.l.google.com"}, {5, "alt2.aspmx.l.google.com"}, {10, "alt3.aspmx.l.google.com"}, {10, "alt4.aspmx.l.google.com"}}
		d.spf = "v=spf1 include:_spf.google.com ~all"
	case "microsoft":
		d.mx = []mxRecord{{0, strings.ReplaceAll(d.name, ".", "-") + ".mail.protection.outlook.com"}}
		d.spf = "v=spf1 include:spf.protection.outlook.com -all"
	case "own":
		d.mx = []mxRecord{{10, "mail." + d.name}}
		d.spf = "v=spf1 mx a -all"
	case "fastmail":
		d.mx = []mxRecord{{10, "in1-smtp.messagingengine.com"}, {20, "in2-smtp.messagingengine.com"}}
		d.spf = "v=spf1 include:spf.messagingengine.com ?all"
	case "null":
		d.mx = []mxRecord{{0, "."}}
		d.nullMX = true
		d.spf = "v=spf1 -all"
	}
	for _, m := range d.mx {
		if m.host != "." {
			g.w.hosts[m.host] = g.ip()
		}
	}
}

func (g *gen) dmarcRecord(d *domainInfo, p float64) {
	if d.nullMX || len(d.mx) == 0 || !g.chance(p) {
		return
	}
	pol := weighted(g, []string{"none", "quarantine", "reject"}, func(s string) float64 {
		return map[string]float64{"none": 5, "quarantine": 3, "reject": 2}[s]
	})
	d.dmarc = "v=DMARC1; p=" + pol + "; rua=mailto:dmarc-reports@" + d.name
}

func (g *gen) newDomain(name, kind string, registered time.Time) *domainInfo {
	d := &domainInfo{name: name, kind: kind, registered: registered, registrar: pick(g, g.regs), ip: g.ip()}
	d.updated = registered
	if age := g.now.Sub(registered).Hours() / 24; age > 30 {
		d.updated = g.daysAgo(g.uniform(1, math.Min(age, 700)))
	}
	d.expires = nextAnniversary(registered, g.now, 1+g.rng.IntN(3))
	if g.chance(0.4) {
		d.txt = append(d.txt, fmt.Sprintf("google-site-verification=%016x%016x", g.rng.Uint64(), g.rng.Uint64()))
	}
	g.w.domains[name] = d
	g.w.hosts["www."+name] = d.ip
	return d
}

func (g *gen) uniqueDomain(base string, tlds []string) string {
	for i := 0; ; i++ {
		name := base
		if i > 0 {
			name += strconv.Itoa(i + 1)
		}
		name += "." + tlds[min(i, len(tlds)-1)%len(tlds)]
		if _, ok := g.w.domains[name]; !ok {
			return name
		}
	}
}

func slug(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		if f := fold(w); f != "" {
			if b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteString(f)
		}
	}
	return b.String()
}

func (g *gen) makeCompanies(n int) {
	words := companyWords()
	for range n {
		c := g.pickCountry()
		cat := weighted(g, g.catIDs, func(id string) float64 {
			w := g.vocab[id].weight
			if id == "software_dev" || id == "technology" || id == "business_finance" {
				w *= 2.5
			}
			return w
		})
		v := g.vocab[cat]
		base := pick(g, words) + " " + pick(g, v.stems)
		co := &company{name: base + " " + companySuffix(c.code), country: c.code, lang: c.lang, htmlLang: c.htmlLang, industry: cat}
		if c.lang != "de" && c.lang != "fr" && c.lang != "es" {
			co.lang = "en"
		}
		co.domain = g.uniqueDomain(slug(base), c.tlds)
		d := g.newDomain(co.domain, "company", g.yearsAgo(g.uniform(1.5, 26)))
		g.mailSetup(d, weighted(g, []string{"google", "microsoft", "own", "null", "none"}, func(s string) float64 {
			return map[string]float64{"google": 45, "microsoft": 35, "own": 12, "null": 4, "none": 4}[s]
		}))
		g.dmarcRecord(d, 0.7)
		if cat == "software_dev" || cat == "technology" || cat == "science" || cat == "video_gaming" {
			co.ghOrg = g.claim(srcGitHub, []string{slug(base)})
			org := &account{source: srcGitHub, username: co.ghOrg, owner: ownerOrg, org: true, name: co.name,
				created: d.registered.Add(time.Duration(g.rng.IntN(1000)) * 24 * time.Hour), location: c.cities[0] + ", " + c.name,
				followers: int64(g.lognormal(3, 1.5))}
			if org.created.After(g.now) {
				org.created = g.daysAgo(30)
			}
			org.links = []profileLink{{service: "website", url: "https://" + co.domain}}
			org.id = g.ghID(org.created)
			org.repos = g.repos(org, []string{cat}, 0, 1)
			g.register(org)
		}
		d.site = g.companySite(co, d)
		g.companies = append(g.companies, co)
	}
}

func (g *gen) companySite(co *company, d *domainInfo) *website {
	v := g.vocab[co.industry]
	ind := v.industry[co.lang]
	kws := append([]string{}, v.words[co.lang]...)
	g.rng.Shuffle(len(kws), func(i, j int) { kws[i], kws[j] = kws[j], kws[i] })
	kws = kws[:min(len(kws), 3+g.rng.IntN(2))]
	desc := companyDescription(co.lang, strings.TrimSuffix(co.name, " "+companySuffix(co.country)), ind, kws)
	slugName := slug(strings.TrimSuffix(co.name, " "+companySuffix(co.country)))
	socials := []string{"https://www.linkedin.com/company/" + slugName}
	if g.chance(0.6) {
		socials = append(socials, "https://x.com/"+strings.ReplaceAll(slugName, "-", ""))
	}
	if g.chance(0.4) {
		socials = append(socials, "https://www.facebook.com/"+strings.ReplaceAll(slugName, "-", ""))
	}
	if co.ghOrg != "" {
		socials = append(socials, "https://github.com/"+co.ghOrg)
	}
	return &website{
		kind: "company", title: strings.TrimSuffix(co.name, " "+companySuffix(co.country)) + " – " + ind,
		siteName: strings.TrimSuffix(co.name, " "+companySuffix(co.country)), description: desc,
		keywords: append([]string{ind}, kws...), htmlLang: co.htmlLang, socials: socials, orgName: co.name,
		founded: d.registered.Format("2006"), country: co.country, industry: ind,
		body: []string{desc},
	}
}

func companyDescription(lang, name, industry string, kws []string) string {
	list := joinList(lang, kws)
	switch lang {
	case "de":
		return fmt.Sprintf("%s – %s. Wir sind Ihr Partner für %s.", name, industry, list)
	case "fr":
		return fmt.Sprintf("%s – %s. Votre partenaire pour %s.", name, industry, list)
	case "es":
		return fmt.Sprintf("%s – %s. Su socio para %s.", name, industry, list)
	}
	return fmt.Sprintf("%s – %s. Your partner for %s.", name, industry, list)
}

func joinList(lang string, xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " " + andWord(lang) + " " + xs[len(xs)-1]
}

func (g *gen) shellCompany(c country) *company {
	name := pick(g, shellNames())
	co := &company{name: name + " " + companySuffix(c.code), country: c.code, lang: "en", htmlLang: "en", industry: "business_finance", shell: true}
	co.domain = g.uniqueDomain(slug(name), []string{pick(g, []string{"com", "net", "co", "online", "biz"})})
	reg := g.daysAgo(g.uniform(2, 58))
	if g.chance(0.25) {
		reg = g.yearsAgo(g.uniform(0.3, 3))
	}
	d := g.newDomain(co.domain, "shell", reg)
	d.txt = nil
	g.mailSetup(d, weighted(g, []string{"google", "microsoft", "null", "none"}, func(s string) float64 {
		return map[string]float64{"google": 25, "microsoft": 20, "null": 20, "none": 35}[s]
	}))
	g.dmarcRecord(d, 0.15)
	if g.chance(0.5) {
		d.site = &website{kind: "placeholder", title: name, siteName: name, htmlLang: "en",
			description: name + " – coming soon.", orgName: co.name, body: []string{"Website coming soon."}}
	}
	return co
}
