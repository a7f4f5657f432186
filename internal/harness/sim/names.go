package sim

import "time"

// Static tables: countries, names, mail providers, registrars and breaches.
// Each is returned by a function so the package holds no mutable globals.

// country is a region the population lives in.
type country struct {
	code     string // ISO 3166 alpha-2
	name     string // English name
	local    string // local name ("" when the same)
	cities   []string
	culture  string // dominant name culture
	lang     string // language of bios and company websites (en, de, fr, es)
	htmlLang string
	tlds     []string // company / personal domain TLDs
	weight   float64
}

func countries() []country {
	return []country{
		{"US", "United States", "USA", []string{"New York", "San Francisco", "Seattle", "Boston", "Chicago", "Austin", "Los Angeles"}, "en", "en", "en-US", []string{"com", "io", "net"}, 22},
		{"GB", "United Kingdom", "UK", []string{"London", "Manchester", "Edinburgh"}, "en", "en", "en-GB", []string{"co.uk", "com", "io"}, 10},
		{"DE", "Germany", "Deutschland", []string{"Berlin", "Hamburg", "Munich", "Köln", "Frankfurt"}, "de", "de", "de-DE", []string{"de", "com"}, 12},
		{"FR", "France", "", []string{"Paris", "Lyon", "Marseille", "Toulouse"}, "fr", "fr", "fr-FR", []string{"fr", "com"}, 10},
		{"ES", "Spain", "España", []string{"Madrid", "Barcelona", "Valencia", "Sevilla"}, "es", "es", "es-ES", []string{"es", "com"}, 8},
		{"IT", "Italy", "Italia", []string{"Rome", "Milan", "Milano", "Roma"}, "it", "en", "it-IT", []string{"it", "com"}, 6},
		{"NL", "Netherlands", "Nederland", []string{"Amsterdam", "Rotterdam", "Utrecht"}, "nl", "en", "nl-NL", []string{"nl", "com"}, 5},
		{"CA", "Canada", "", []string{"Toronto", "Montreal", "Vancouver"}, "en", "en", "en-CA", []string{"ca", "com"}, 6},
		{"AU", "Australia", "", []string{"Sydney", "Melbourne", "Brisbane"}, "en", "en", "en-AU", []string{"com.au", "com"}, 5},
		{"BR", "Brazil", "Brasil", []string{"São Paulo", "Rio de Janeiro"}, "pt", "en", "pt-BR", []string{"com.br", "com"}, 6},
		{"IN", "India", "", []string{"Bangalore", "Mumbai", "Delhi"}, "in", "en", "en-IN", []string{"in", "com"}, 6},
		{"MX", "Mexico", "México", []string{"Mexico City", "Guadalajara", "Monterrey"}, "es", "es", "es-MX", []string{"com.mx", "mx", "com"}, 4},
	}
}

// nameCulture holds first and last names of one culture. Some carry
// accents; emails and usernames are folded to ASCII.
type nameCulture struct {
	first, last []string
}

func nameCultures() map[string]nameCulture {
	return map[string]nameCulture{
		"en": {
			first: []string{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chris", "Karen", "Daniel", "Emily", "Matthew", "Ashley", "Andrew", "Olivia", "Ethan", "Chloe", "Ryan", "Hannah", "Zoë", "Liam", "Grace", "Noah", "Amelia", "Owen", "Megan", "Connor", "Abigail", "Tyler"},
			last:  []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "O'Brien", "Murphy", "Kelly", "Hughes", "Fletcher"},
		},
		"de": {
			first: []string{"Lukas", "Anna", "Jonas", "Lena", "Felix", "Laura", "Maximilian", "Julia", "Leon", "Sophie", "Tobias", "Katharina", "Jan", "Marie", "Florian", "Lea", "Sebastian", "Hannah", "Jürgen", "Sören", "Björn", "Ute", "Stefan", "Sabine", "Matthias", "Claudia", "Niklas", "Franziska", "Moritz", "Johanna"},
			last:  []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Vogel"},
		},
		"fr": {
			first: []string{"Louis", "Camille", "Hugo", "Léa", "Gabriel", "Manon", "Arthur", "Chloé", "Jules", "Inès", "Lucas", "Sarah", "Théo", "Juliette", "Nathan", "Hélène", "François", "Élodie", "Mathieu", "Amélie", "Julien", "Céline", "Antoine", "Margaux", "Baptiste", "Aurélie", "Clément", "Pauline", "Romain", "Mélanie"},
			last:  []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Faure"},
		},
		"es": {
			first: []string{"Hugo", "Lucía", "Martín", "Sofía", "Pablo", "María", "Alejandro", "Paula", "Daniel", "Valeria", "Álvaro", "Carmen", "Javier", "Elena", "Diego", "Marta", "José", "Ana", "Sergio", "Laura", "Andrés", "Camila", "Jorge", "Isabel", "Ángel", "Rocío", "Carlos", "Natalia", "Raúl", "Inés"},
			last:  []string{"García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina"},
		},
		"it": {
			first: []string{"Francesco", "Giulia", "Alessandro", "Chiara", "Lorenzo", "Francesca", "Matteo", "Sara", "Andrea", "Martina", "Marco", "Elisa", "Luca", "Valentina", "Davide", "Federica", "Niccolò", "Alessia", "Riccardo", "Giorgia"},
			last:  []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti"},
		},
		"nl": {
			first: []string{"Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Levi", "Tess", "Finn", "Sophie", "Bram", "Anouk", "Thijs", "Fleur", "Ruben", "Lotte", "Jesse", "Sanne", "Joris", "Femke"},
			last:  []string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer"},
		},
		"pt": {
			first: []string{"Miguel", "Alice", "Arthur", "Helena", "Gabriel", "Laura", "Heitor", "Valentina", "Davi", "Beatriz", "João", "Júlia", "Pedro", "Manuela", "Rafael", "Luíza", "Gustavo", "Letícia", "Thiago", "Fernanda"},
			last:  []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Araújo"},
		},
		"in": {
			first: []string{"Aarav", "Ananya", "Vivaan", "Diya", "Aditya", "Isha", "Arjun", "Priya", "Rohan", "Kavya", "Rahul", "Sneha", "Vikram", "Pooja", "Karthik", "Neha", "Siddharth", "Aishwarya", "Amit", "Deepika"},
			last:  []string{"Sharma", "Verma", "Patel", "Gupta", "Singh", "Kumar", "Reddy", "Iyer", "Nair", "Rao", "Mehta", "Joshi", "Desai", "Chopra", "Malhotra", "Banerjee", "Mukherjee", "Pillai", "Kapoor", "Agarwal"},
		},
	}
}

// provider is a mail domain that is not the person's own.
type provider struct {
	domain     string
	countries  []string // where it is popular ("" = everywhere)
	weight     float64
	mx         []mxRecord
	spf, dmarc string
	registered time.Time
	registrar  string
	launched   int // year the service started
}

type mxRecord struct {
	pref uint16
	host string
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 4, 0, 0, 0, time.UTC) }

func freeProviders() []provider {
	google := []mxRecord{{5, "gmail-smtp-in.l.google.com"}, {10, "alt1.gmail-smtp-in.l.google.com"}, {20, "alt2.gmail-smtp-in.l.google.com"}, {30, "alt3.gmail-smtp-in.l.google.com"}, {40, "alt4.gmail-smtp-in.l.google.com"}}
	yahoo := []mxRecord{{1, "mta5.am0.yahoodns.net"}, {1, "mta6.am0.yahoodns.net"}, {1, "mta7.am0.yahoodns.net"}}
	return []provider{
		{"gmail.com", nil, 40, google, "v=spf1 redirect=_spf.google.com", "v=DMARC1; p=none; sp=quarantine; rua=mailto:mailauth-reports@google.com", date(1995, 8, 13), "MarkMonitor Inc.", 2004},
		{"outlook.com", nil, 10, []mxRecord{{5, "outlook-com.olc.protection.outlook.com"}}, "v=spf1 include:spf2.outlook.com -all", "v=DMARC1; p=none; pct=100; rua=mailto:d@rua.agari.com", date(1994, 3, 28), "MarkMonitor Inc.", 2012},
		{"hotmail.com", nil, 8, []mxRecord{{2, "hotmail-com.olc.protection.outlook.com"}}, "v=spf1 ip4:157.55.9.128/25 include:spf.protection.outlook.com -all", "v=DMARC1; p=none; rua=mailto:d@rua.agari.com", date(1996, 3, 27), "MarkMonitor Inc.", 1996},
		{"yahoo.com", nil, 8, yahoo, "v=spf1 redirect=_spf.mail.yahoo.com", "v=DMARC1; p=reject; pct=100; rua=mailto:d@rua.agari.com", date(1995, 1, 18), "MarkMonitor Inc.", 1997},
		{"icloud.com", nil, 5, []mxRecord{{10, "mx01.mail.icloud.com"}, {10, "mx02.mail.icloud.com"}}, "v=spf1 include:icloud.com.spf.icloud.com ~all", "v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:dmarc_agg@auth.returnpath.net", date(1999, 1, 15), "CSC Corporate Domains, Inc.", 2011},
		{"proton.me", nil, 2, []mxRecord{{10, "mail.protonmail.ch"}, {20, "mailsec.protonmail.ch"}}, "v=spf1 include:_spf.protonmail.ch ~all", "v=DMARC1; p=quarantine; fo=1", date(2019, 8, 13), "Gandi SAS", 2022},
		{"gmx.de", []string{"DE"}, 12, []mxRecord{{10, "mx00.emig.gmx.net"}, {10, "mx01.emig.gmx.net"}}, "v=spf1 include:_spf.gmx.net -all", "v=DMARC1; p=quarantine", date(1997, 5, 2), "1&1 IONOS SE", 1997},
		{"web.de", []string{"DE"}, 10, []mxRecord{{100, "mx-ha03.web.de"}, {100, "mx-ha02.web.de"}}, "v=spf1 include:_spf.web.de -all", "v=DMARC1; p=quarantine", date(1995, 11, 20), "1&1 IONOS SE", 1995},
		{"t-online.de", []string{"DE"}, 5, []mxRecord{{10, "mx00.t-online.de"}, {10, "mx01.t-online.de"}}, "v=spf1 ip4:194.25.134.0/24 -all", "", date(1996, 1, 9), "DENIC eG", 1996},
		{"orange.fr", []string{"FR"}, 12, []mxRecord{{10, "smtp-in.orange.fr"}}, "v=spf1 include:spf.orange.fr ~all", "v=DMARC1; p=none", date(2000, 3, 1), "Orange SA", 2000},
		{"free.fr", []string{"FR"}, 8, []mxRecord{{10, "mx1.free.fr"}, {20, "mx2.free.fr"}}, "v=spf1 include:_spf.free.fr ~all", "", date(1999, 2, 1), "Free SAS", 1999},
		{"laposte.net", []string{"FR"}, 4, []mxRecord{{10, "smtpz4.laposte.net"}}, "v=spf1 include:_spf.laposte.net -all", "v=DMARC1; p=reject", date(2000, 5, 19), "Gandi SAS", 2000},
		{"yahoo.fr", []string{"FR"}, 3, yahoo, "v=spf1 redirect=_spf.mail.yahoo.com", "v=DMARC1; p=reject", date(1996, 11, 27), "MarkMonitor Inc.", 1997},
		{"yahoo.es", []string{"ES", "MX"}, 5, yahoo, "v=spf1 redirect=_spf.mail.yahoo.com", "v=DMARC1; p=reject", date(1999, 9, 20), "MarkMonitor Inc.", 1999},
		{"libero.it", []string{"IT"}, 10, []mxRecord{{10, "smtp-in.libero.it"}}, "v=spf1 include:spf.libero.it -all", "", date(1999, 3, 1), "Register.it S.p.A.", 1999},
		{"ziggo.nl", []string{"NL"}, 6, []mxRecord{{10, "mx.ziggo.nl"}}, "v=spf1 include:_spf.ziggo.nl ~all", "", date(2004, 6, 1), "SIDN", 2004},
		{"yahoo.co.uk", []string{"GB"}, 5, yahoo, "v=spf1 redirect=_spf.mail.yahoo.com", "v=DMARC1; p=reject", date(1996, 8, 1), "MarkMonitor Inc.", 1997},
		{"uol.com.br", []string{"BR"}, 8, []mxRecord{{10, "mx.uol.com.br"}}, "v=spf1 include:_spf.uol.com.br ~all", "", date(1996, 4, 29), "Registro.br", 1996},
		{"bol.com.br", []string{"BR"}, 5, []mxRecord{{10, "mx.bol.com.br"}}, "v=spf1 include:_spf.uol.com.br ~all", "", date(1999, 7, 1), "Registro.br", 1999},
		{"rediffmail.com", []string{"IN"}, 6, []mxRecord{{10, "mx.rediffmail.rediff.akadns.net"}}, "v=spf1 ip4:202.137.232.0/22 ~all", "", date(1999, 6, 17), "Network Solutions, LLC", 1999},
		{"yahoo.co.in", []string{"IN"}, 5, yahoo, "v=spf1 redirect=_spf.mail.yahoo.com", "v=DMARC1; p=reject", date(2000, 6, 29), "MarkMonitor Inc.", 2000},
	}
}

// disposableProviders are real throwaway-mail domains (all on the public
// disposable-email-domains list, so the offline check flags them).
func disposableProviders() []provider {
	return []provider{
		{"mailinator.com", nil, 10, []mxRecord{{1, "mail.mailinator.com"}, {1, "mail2.mailinator.com"}}, "v=spf1 -all", "", date(2002, 3, 4), "GoDaddy.com, LLC", 2003},
		{"guerrillamail.com", nil, 8, []mxRecord{{10, "mx1.guerrillamail.com"}}, "", "", date(2006, 6, 20), "NameCheap, Inc.", 2006},
		{"sharklasers.com", nil, 4, []mxRecord{{10, "mx1.sharklasers.com"}}, "", "", date(2012, 4, 2), "NameCheap, Inc.", 2012},
		{"10minutemail.com", nil, 8, []mxRecord{{10, "mx.10minutemail.com"}}, "", "", date(2005, 11, 30), "GoDaddy.com, LLC", 2006},
		{"yopmail.com", nil, 10, []mxRecord{{1, "mx.yopmail.com"}}, "v=spf1 ip4:91.121.184.60 -all", "", date(2004, 3, 26), "OVH sas", 2004},
		{"trashmail.com", nil, 4, []mxRecord{{10, "mx.trashmail.com"}}, "", "", date(2002, 9, 11), "Key-Systems GmbH", 2002},
		{"maildrop.cc", nil, 4, []mxRecord{{10, "mx.maildrop.cc"}}, "", "", date(2013, 7, 19), "NameCheap, Inc.", 2013},
		{"dispostable.com", nil, 3, []mxRecord{{10, "mx.dispostable.com"}}, "", "", date(2008, 3, 12), "GoDaddy.com, LLC", 2008},
		{"temp-mail.org", nil, 6, []mxRecord{{10, "mx.temp-mail.org"}}, "", "", date(2011, 2, 21), "NameCheap, Inc.", 2011},
		{"getnada.com", nil, 3, []mxRecord{{10, "mx.getnada.com"}}, "", "", date(2016, 5, 3), "GoDaddy.com, LLC", 2016},
	}
}

// typoDomain is a misspelling of a free provider (parked, no mail).
type typoDomain struct{ domain, of string }

func typoDomains() []typoDomain {
	return []typoDomain{{"gmial.com", "gmail.com"}, {"gamil.com", "gmail.com"}, {"gmal.com", "gmail.com"}, {"hotmial.com", "hotmail.com"}, {"yaho.com", "yahoo.com"}, {"outlok.com", "outlook.com"}}
}

// registrar is an accredited registrar (name, IANA id).
type registrar struct {
	name string
	id   int
}

func registrars() []registrar {
	return []registrar{{"GoDaddy.com, LLC", 146}, {"NameCheap, Inc.", 1068}, {"Tucows Domains Inc.", 69}, {"OVH sas", 433}, {"1&1 IONOS SE", 83}, {"Gandi SAS", 81}, {"Cloudflare, Inc.", 1910}, {"Porkbun LLC", 1861}, {"Squarespace Domains II LLC", 895}, {"Hostinger Operations, UAB", 1636}}
}

// breachInfo is one real breach in the HIBP catalogue.
type breachInfo struct {
	name, title, domain string
	date                time.Time
	added               time.Time
	pwn                 int
	classes             []string
	weight              float64 // how likely a given address is in it
}

func breachCatalogue() []breachInfo {
	ep := []string{"Email addresses", "Passwords"}
	epu := []string{"Email addresses", "Passwords", "Usernames"}
	return []breachInfo{
		{"MySpace", "MySpace", "myspace.com", date(2008, 7, 1), date(2016, 5, 31), 359420698, epu, 0.10},
		{"LinkedIn", "LinkedIn", "linkedin.com", date(2012, 5, 5), date(2016, 5, 21), 164611595, ep, 0.16},
		{"Dropbox", "Dropbox", "dropbox.com", date(2012, 7, 1), date(2016, 8, 31), 68648009, ep, 0.08},
		{"Tumblr", "Tumblr", "tumblr.com", date(2013, 2, 28), date(2016, 5, 29), 65469298, ep, 0.06},
		{"Adobe", "Adobe", "adobe.com", date(2013, 10, 4), date(2013, 12, 4), 152445165, []string{"Email addresses", "Password hints", "Passwords", "Usernames"}, 0.15},
		{"Kickstarter", "Kickstarter", "kickstarter.com", date(2014, 2, 16), date(2017, 10, 19), 5789345, []string{"Email addresses", "Passwords"}, 0.03},
		{"000webhost", "000webhost", "000webhost.com", date(2015, 3, 1), date(2015, 10, 26), 14936670, []string{"Email addresses", "IP addresses", "Names", "Passwords"}, 0.03},
		{"MyFitnessPal", "MyFitnessPal", "myfitnesspal.com", date(2018, 2, 1), date(2019, 2, 21), 143606147, []string{"Email addresses", "IP addresses", "Passwords", "Usernames"}, 0.08},
		{"Dubsmash", "Dubsmash", "dubsmash.com", date(2018, 12, 1), date(2019, 2, 25), 161749950, []string{"Email addresses", "Geographic locations", "Names", "Passwords", "Phone numbers", "Spoken languages", "Usernames"}, 0.06},
		{"VerificationsIO", "Verifications.io", "verifications.io", date(2019, 2, 25), date(2019, 3, 9), 763117241, []string{"Dates of birth", "Email addresses", "Employers", "Genders", "Geographic locations", "IP addresses", "Job titles", "Names", "Phone numbers", "Physical addresses"}, 0.12},
		{"Canva", "Canva", "canva.com", date(2019, 5, 24), date(2019, 8, 9), 137272116, []string{"Email addresses", "Geographic locations", "Names", "Passwords", "Usernames"}, 0.08},
		{"Zynga", "Zynga", "zynga.com", date(2019, 9, 1), date(2019, 12, 19), 172869660, []string{"Email addresses", "Passwords", "Phone numbers", "Usernames"}, 0.05},
		{"Wattpad", "Wattpad", "wattpad.com", date(2020, 6, 29), date(2020, 7, 19), 268765495, []string{"Bios", "Dates of birth", "Email addresses", "Genders", "Geographic locations", "IP addresses", "Names", "Passwords", "Social media profiles", "Usernames"}, 0.06},
		{"Twitter200M", "Twitter (200M)", "twitter.com", date(2021, 1, 1), date(2023, 1, 5), 211524284, []string{"Email addresses", "Names", "Social media profiles", "Usernames"}, 0.08},
		{"Trello", "Trello", "trello.com", date(2024, 1, 16), date(2024, 1, 22), 15111945, []string{"Email addresses", "Names", "Usernames"}, 0.04},
		{"Dell", "Dell", "dell.com", date(2024, 5, 9), date(2024, 5, 28), 49000000, []string{"Email addresses", "Names", "Physical addresses"}, 0.03},
	}
}

// jobTitles by language.
func jobTitles() map[string][]string {
	return map[string][]string{
		"en": {"Software Engineer", "Product Manager", "Designer", "Marketing Manager", "Sales Lead", "Data Analyst", "Founder", "Consultant", "Engineering Manager", "Accountant"},
		"de": {"Softwareentwickler", "Produktmanagerin", "Designer", "Marketingleiterin", "Vertriebsleiter", "Datenanalyst", "Gründer", "Berater", "Teamleiterin", "Buchhalter"},
		"fr": {"Ingénieur logiciel", "Cheffe de produit", "Designer", "Responsable marketing", "Commercial", "Analyste de données", "Fondateur", "Consultante", "Directeur technique", "Comptable"},
		"es": {"Ingeniero de software", "Jefa de producto", "Diseñador", "Responsable de marketing", "Comercial", "Analista de datos", "Fundador", "Consultora", "Director técnico", "Contable"},
	}
}

// bioTemplates by language; %s are filled with keywords, %c with the
// company name (or dropped).
func bioTemplates() map[string][]string {
	return map[string][]string{
		"en": {"Into %s.", "I write about %s.", "%s enthusiast.", "Passionate about %s. Opinions my own.", "Here for %s.", "Mostly %s, sometimes other things."},
		"de": {"Interessiert an %s.", "Ich schreibe über %s.", "Begeistert von %s.", "%s und mehr.", "Hier wegen %s."},
		"fr": {"Passionné de %s.", "J'écris sur %s.", "Fan de %s.", "%s et plus encore.", "Ici pour parler de %s."},
		"es": {"Apasionado de %s.", "Escribo sobre %s.", "Me encanta %s.", "%s y más.", "Aquí por %s."},
	}
}

// andWord joins the last keyword in each language.
func andWord(lang string) string {
	switch lang {
	case "de":
		return "und"
	case "fr":
		return "et"
	case "es":
		return "y"
	}
	return "and"
}

// companyWords are generic parts of company names.
func companyWords() []string {
	return []string{"Blue", "North", "Bright", "Nova", "Summit", "Alpine", "Cedar", "Harbor", "Lumen", "Orbit", "Pioneer", "Silver", "Vertex", "Zenith", "Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Helix", "Iris", "Juniper", "Kestrel", "Maple", "Nimbus", "Opal", "Quartz", "Raven", "Sage", "Tidal", "Umbra", "Willow"}
}

// shellNames are generic names of freshly registered shell companies.
func shellNames() []string {
	return []string{"Global Trade Solutions", "Prime Consulting Group", "Eurasia Logistics", "Star Holdings", "Smart Invest Partners", "Unified Commerce", "Rapid Supply Co", "Elite Ventures", "Digital Assets Group", "Nordic Trading House"}
}
