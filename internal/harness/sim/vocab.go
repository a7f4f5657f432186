package sim

// This file is the simulated web's whole interest vocabulary: for every
// scoring.Taxonomy category, the keywords people and companies use for it in
// English, German, French and Spanish, the GitHub languages and topics of
// repositories about it, and the industry label and name stems of companies
// in it. Special categories of personal data (health, religion, politics,
// ethnicity, sexuality) have no entry and are never generated.

// topicVocab is the vocabulary of one interest category.
type topicVocab struct {
	// words are content keywords by language (en, de, fr, es).
	words map[string][]string
	// hashtags are single-word English tags (Mastodon notes, Bluesky).
	hashtags []string
	// languages and topics describe GitHub repositories about the category;
	// repos are repository name stems.
	languages, topics, repos []string
	// industry is the label of a company in this category, by language.
	industry map[string]string
	// stems are company name stems.
	stems []string
	// weight is the category's relative popularity among people.
	weight float64
}

// vocabulary returns the per-category vocabulary. It is built afresh on
// every call (no package-level mutable state); New calls it once.
func vocabulary() map[string]topicVocab {
	return map[string]topicVocab{
		"automotive": {
			words: map[string][]string{
				"en": {"cars", "classic cars", "motorsport", "electric vehicles", "car restoration", "road trips by car"},
				"de": {"Autos", "Oldtimer", "Motorsport", "Elektroautos", "Autowerkstatt", "Tuning"},
				"fr": {"voitures", "voitures anciennes", "sport automobile", "voitures électriques", "mécanique auto"},
				"es": {"coches", "coches clásicos", "automovilismo", "coches eléctricos", "mecánica"},
			},
			hashtags:  []string{"cars", "motorsport", "ev", "classiccars"},
			languages: []string{"C", "Python"}, topics: []string{"obd2", "can-bus", "car", "ev-charging"}, repos: []string{"obd-reader", "car-telemetry", "ev-charge-log"},
			industry: map[string]string{"en": "Automotive dealership", "de": "Autohaus", "fr": "Concession automobile", "es": "Concesionario de automóviles"},
			stems:    []string{"Motors", "Auto", "Garage", "Drive"}, weight: 3,
		},
		"books_literature": {
			words: map[string][]string{
				"en": {"books", "reading", "novels", "poetry", "literature", "book club"},
				"de": {"Bücher", "Lesen", "Romane", "Lyrik", "Literatur", "Buchclub"},
				"fr": {"livres", "lecture", "romans", "poésie", "littérature"},
				"es": {"libros", "lectura", "novelas", "poesía", "literatura"},
			},
			hashtags:  []string{"books", "reading", "amreading", "poetry"},
			languages: []string{"Python", "Ruby"}, topics: []string{"books", "epub", "goodreads", "literature"}, repos: []string{"reading-list", "epub-tools", "book-notes"},
			industry: map[string]string{"en": "Publishing", "de": "Verlag", "fr": "Maison d'édition", "es": "Editorial"},
			stems:    []string{"Press", "Books", "Verlag", "Editions"}, weight: 5,
		},
		"business_finance": {
			words: map[string][]string{
				"en": {"entrepreneurship", "startups", "business strategy", "venture capital", "management", "economics"},
				"de": {"Unternehmertum", "Startups", "Betriebswirtschaft", "Wirtschaft", "Management"},
				"fr": {"entrepreneuriat", "startups", "stratégie d'entreprise", "économie", "management"},
				"es": {"emprendimiento", "startups", "estrategia empresarial", "economía", "gestión"},
			},
			hashtags:  []string{"startups", "business", "economics", "entrepreneurship"},
			languages: []string{"Python", "R"}, topics: []string{"finance", "accounting", "economics", "erp"}, repos: []string{"invoice-gen", "kpi-dashboard", "ledger"},
			industry: map[string]string{"en": "Management consulting", "de": "Unternehmensberatung", "fr": "Conseil en management", "es": "Consultoría empresarial"},
			stems:    []string{"Partners", "Consulting", "Capital", "Advisory"}, weight: 5,
		},
		"careers": {
			words: map[string][]string{
				"en": {"career coaching", "hiring", "job search", "recruiting", "mentoring"},
				"de": {"Karriere", "Bewerbung", "Recruiting", "Jobsuche", "Mentoring"},
				"fr": {"carrière", "recrutement", "recherche d'emploi", "mentorat"},
				"es": {"carrera profesional", "reclutamiento", "búsqueda de empleo", "mentoría"},
			},
			hashtags:  []string{"hiring", "careers", "jobsearch", "mentoring"},
			languages: []string{"JavaScript"}, topics: []string{"resume", "job-board", "interview-prep"}, repos: []string{"resume", "interview-prep", "job-tracker"},
			industry: map[string]string{"en": "Recruiting agency", "de": "Personalvermittlung", "fr": "Cabinet de recrutement", "es": "Agencia de empleo"},
			stems:    []string{"Talent", "Careers", "Staffing", "Jobs"}, weight: 3,
		},
		"education": {
			words: map[string][]string{
				"en": {"teaching", "education", "online courses", "e-learning", "tutoring"},
				"de": {"Lehre", "Bildung", "Unterricht", "E-Learning", "Nachhilfe"},
				"fr": {"enseignement", "éducation", "cours en ligne", "pédagogie"},
				"es": {"enseñanza", "educación", "cursos en línea", "pedagogía"},
			},
			hashtags:  []string{"edtech", "teaching", "education", "elearning"},
			languages: []string{"Python", "JavaScript"}, topics: []string{"education", "edtech", "moodle", "course"}, repos: []string{"course-materials", "quiz-app", "lecture-notes"},
			industry: map[string]string{"en": "Education services", "de": "Bildungsanbieter", "fr": "Organisme de formation", "es": "Centro de formación"},
			stems:    []string{"Academy", "Learning", "School", "Campus"}, weight: 3,
		},
		"events": {
			words: map[string][]string{
				"en": {"festivals", "concerts", "conferences", "live events", "theme parks"},
				"de": {"Festivals", "Konzerte", "Konferenzen", "Veranstaltungen", "Freizeitparks"},
				"fr": {"festivals", "concerts", "conférences", "événements"},
				"es": {"festivales", "conciertos", "conferencias", "eventos"},
			},
			hashtags:  []string{"festival", "concerts", "events", "conference"},
			languages: []string{"TypeScript"}, topics: []string{"events", "ticketing", "conference"}, repos: []string{"event-planner", "ticket-scanner", "conf-schedule"},
			industry: map[string]string{"en": "Event management", "de": "Eventagentur", "fr": "Agence événementielle", "es": "Organización de eventos"},
			stems:    []string{"Events", "Live", "Stage", "Venue"}, weight: 2,
		},
		"fine_art": {
			words: map[string][]string{
				"en": {"painting", "illustration", "graphic design", "art galleries", "drawing", "typography"},
				"de": {"Malerei", "Illustration", "Grafikdesign", "Kunst", "Zeichnen"},
				"fr": {"peinture", "illustration", "design graphique", "art contemporain", "dessin"},
				"es": {"pintura", "ilustración", "diseño gráfico", "arte", "dibujo"},
			},
			hashtags:  []string{"art", "illustration", "design", "painting"},
			languages: []string{"JavaScript", "Processing"}, topics: []string{"generative-art", "design", "svg", "creative-coding"}, repos: []string{"generative-art", "sketches", "design-system"},
			industry: map[string]string{"en": "Design studio", "de": "Designstudio", "fr": "Studio de design", "es": "Estudio de diseño"},
			stems:    []string{"Studio", "Design", "Atelier", "Gallery"}, weight: 4,
		},
		"food_drink": {
			words: map[string][]string{
				"en": {"cooking", "recipes", "coffee", "craft beer", "baking", "wine"},
				"de": {"Kochen", "Rezepte", "Kaffee", "Craft Beer", "Backen", "Wein"},
				"fr": {"cuisine", "recettes", "café", "pâtisserie", "vin", "gastronomie"},
				"es": {"cocina", "recetas", "café", "repostería", "vino", "gastronomía"},
			},
			hashtags:  []string{"cooking", "coffee", "baking", "foodie"},
			languages: []string{"Python", "JavaScript"}, topics: []string{"recipes", "cooking", "coffee", "homebrewing"}, repos: []string{"recipe-box", "brew-log", "coffee-timer"},
			industry: map[string]string{"en": "Restaurant group", "de": "Gastronomie", "fr": "Restauration", "es": "Restauración"},
			stems:    []string{"Kitchen", "Bistro", "Brewing", "Foods"}, weight: 7,
		},
		"hobbies": {
			words: map[string][]string{
				"en": {"woodworking", "knitting", "board games", "model building", "DIY", "crafts"},
				"de": {"Holzarbeiten", "Stricken", "Brettspiele", "Modellbau", "Basteln", "Heimwerken"},
				"fr": {"bricolage", "tricot", "jeux de société", "maquettes", "loisirs créatifs"},
				"es": {"bricolaje", "tejer", "juegos de mesa", "maquetas", "manualidades"},
			},
			hashtags:  []string{"diy", "boardgames", "knitting", "woodworking"},
			languages: []string{"OpenSCAD", "Python"}, topics: []string{"3d-printing", "diy", "boardgame", "arduino"}, repos: []string{"3d-models", "boardgame-scorer", "diy-projects"},
			industry: map[string]string{"en": "Craft supplies", "de": "Bastelbedarf", "fr": "Loisirs créatifs", "es": "Artículos de manualidades"},
			stems:    []string{"Crafts", "Makers", "Hobby", "Workshop"}, weight: 4,
		},
		"home_garden": {
			words: map[string][]string{
				"en": {"gardening", "interior design", "houseplants", "home improvement", "permaculture"},
				"de": {"Gärtnern", "Garten", "Inneneinrichtung", "Zimmerpflanzen", "Renovieren"},
				"fr": {"jardinage", "décoration intérieure", "plantes d'intérieur", "rénovation"},
				"es": {"jardinería", "decoración", "plantas de interior", "reformas"},
			},
			hashtags:  []string{"gardening", "houseplants", "interiordesign", "permaculture"},
			languages: []string{"Python", "C++"}, topics: []string{"home-automation", "home-assistant", "gardening", "iot"}, repos: []string{"plant-watering", "home-assistant-config", "garden-planner"},
			industry: map[string]string{"en": "Home and garden retail", "de": "Garten- und Wohnbedarf", "fr": "Maison et jardin", "es": "Hogar y jardín"},
			stems:    []string{"Home", "Garden", "Living", "Interiors"}, weight: 3,
		},
		"movies_tv": {
			words: map[string][]string{
				"en": {"movies", "cinema", "TV series", "film making", "documentaries"},
				"de": {"Filme", "Kino", "Serien", "Filmemachen", "Dokumentarfilme"},
				"fr": {"cinéma", "films", "séries", "documentaires"},
				"es": {"cine", "películas", "series", "documentales"},
			},
			hashtags:  []string{"movies", "cinema", "filmmaking", "tv"},
			languages: []string{"Python", "TypeScript"}, topics: []string{"movies", "video", "ffmpeg", "subtitles"}, repos: []string{"movie-db", "subtitle-sync", "watchlist"},
			industry: map[string]string{"en": "Film production", "de": "Filmproduktion", "fr": "Production audiovisuelle", "es": "Productora audiovisual"},
			stems:    []string{"Pictures", "Films", "Media", "Productions"}, weight: 6,
		},
		"music_audio": {
			words: map[string][]string{
				"en": {"music", "guitar", "music production", "synthesizers", "podcasts", "vinyl"},
				"de": {"Musik", "Gitarre", "Musikproduktion", "Synthesizer", "Podcasts"},
				"fr": {"musique", "guitare", "production musicale", "synthétiseurs", "podcasts"},
				"es": {"música", "guitarra", "producción musical", "sintetizadores", "pódcasts"},
			},
			hashtags:  []string{"music", "synth", "guitar", "podcast"},
			languages: []string{"C++", "Rust", "SuperCollider"}, topics: []string{"audio", "midi", "synthesizer", "dsp"}, repos: []string{"midi-tools", "synth-plugin", "playlist-sync"},
			industry: map[string]string{"en": "Music and audio", "de": "Musik und Audio", "fr": "Musique et audio", "es": "Música y audio"},
			stems:    []string{"Records", "Audio", "Sound", "Music"}, weight: 8,
		},
		"parenting": {
			words: map[string][]string{
				"en": {"parenting", "family life", "kids activities", "toddlers"},
				"de": {"Elternschaft", "Familienleben", "Kinder", "Familie"},
				"fr": {"parentalité", "vie de famille", "enfants", "activités pour enfants"},
				"es": {"crianza", "vida familiar", "niños", "maternidad"},
			},
			hashtags:  []string{"parenting", "dadlife", "momlife", "family"},
			languages: []string{"JavaScript"}, topics: []string{"baby-tracker", "family", "kids"}, repos: []string{"baby-tracker", "chore-chart", "family-calendar"},
			industry: map[string]string{"en": "Children's products", "de": "Kinderartikel", "fr": "Articles pour enfants", "es": "Productos infantiles"},
			stems:    []string{"Kids", "Family", "Little Ones", "Nest"}, weight: 3,
		},
		"personal_finance": {
			words: map[string][]string{
				"en": {"personal finance", "investing", "crypto", "bitcoin", "budgeting", "FIRE"},
				"de": {"Finanzen", "Investieren", "Krypto", "Bitcoin", "Sparen", "ETF"},
				"fr": {"finances personnelles", "investissement", "crypto", "bitcoin", "épargne"},
				"es": {"finanzas personales", "inversión", "cripto", "bitcoin", "ahorro"},
			},
			hashtags:  []string{"bitcoin", "crypto", "investing", "personalfinance"},
			languages: []string{"Solidity", "Python"}, topics: []string{"bitcoin", "ethereum", "budget", "portfolio-tracker"}, repos: []string{"portfolio-tracker", "budget-app", "wallet-tools"},
			industry: map[string]string{"en": "Fintech", "de": "Fintech", "fr": "Fintech", "es": "Fintech"},
			stems:    []string{"Wallet", "Coin", "Finance", "Money"}, weight: 4,
		},
		"pets": {
			words: map[string][]string{
				"en": {"dogs", "cats", "pet care", "dog training", "animal rescue"},
				"de": {"Hunde", "Katzen", "Haustiere", "Hundetraining", "Tierschutz"},
				"fr": {"chiens", "chats", "animaux de compagnie", "éducation canine"},
				"es": {"perros", "gatos", "mascotas", "adiestramiento canino"},
			},
			hashtags:  []string{"dogs", "cats", "dogsofmastodon", "catsofmastodon"},
			languages: []string{"Python"}, topics: []string{"pets", "dog", "cat"}, repos: []string{"cat-feeder", "dog-walk-log", "pet-adoption"},
			industry: map[string]string{"en": "Pet supplies", "de": "Tierbedarf", "fr": "Animalerie", "es": "Tienda de mascotas"},
			stems:    []string{"Paws", "Pets", "Tails", "Whiskers"}, weight: 4,
		},
		"photography": {
			words: map[string][]string{
				"en": {"photography", "film photography", "street photography", "landscape photography", "cameras"},
				"de": {"Fotografie", "Analogfotografie", "Streetfotografie", "Landschaftsfotografie", "Kameras"},
				"fr": {"photographie", "photo argentique", "photo de rue", "photographie de paysage"},
				"es": {"fotografía", "fotografía analógica", "fotografía callejera", "fotografía de paisaje"},
			},
			hashtags:  []string{"photography", "filmphotography", "streetphotography", "landscape"},
			languages: []string{"Python", "C++"}, topics: []string{"photography", "exif", "image-processing", "raw"}, repos: []string{"exif-tools", "photo-gallery", "raw-converter"},
			industry: map[string]string{"en": "Photography studio", "de": "Fotostudio", "fr": "Studio photo", "es": "Estudio fotográfico"},
			stems:    []string{"Photo", "Lens", "Frame", "Light"}, weight: 5,
		},
		"pop_culture": {
			words: map[string][]string{
				"en": {"pop culture", "celebrities", "anime", "comics", "fandom"},
				"de": {"Popkultur", "Promis", "Anime", "Comics"},
				"fr": {"culture pop", "célébrités", "anime", "bandes dessinées", "mangas"},
				"es": {"cultura pop", "famosos", "anime", "cómics", "mangas"},
			},
			hashtags:  []string{"anime", "comics", "popculture", "fandom"},
			languages: []string{"JavaScript"}, topics: []string{"anime", "comics", "fandom"}, repos: []string{"anime-list", "comic-reader", "fan-wiki"},
			industry: map[string]string{"en": "Entertainment media", "de": "Unterhaltungsmedien", "fr": "Médias de divertissement", "es": "Medios de entretenimiento"},
			stems:    []string{"Buzz", "Pop", "Fandom", "Hype"}, weight: 3,
		},
		"real_estate": {
			words: map[string][]string{
				"en": {"real estate", "property investment", "housing market", "architecture"},
				"de": {"Immobilien", "Immobilieninvestment", "Wohnungsmarkt", "Architektur"},
				"fr": {"immobilier", "investissement locatif", "marché immobilier", "architecture"},
				"es": {"inmobiliaria", "inversión inmobiliaria", "mercado inmobiliario", "arquitectura"},
			},
			hashtags:  []string{"realestate", "architecture", "housing", "property"},
			languages: []string{"Python"}, topics: []string{"real-estate", "property", "gis"}, repos: []string{"rent-calculator", "property-scraper", "floorplans"},
			industry: map[string]string{"en": "Real estate agency", "de": "Immobilienmakler", "fr": "Agence immobilière", "es": "Agencia inmobiliaria"},
			stems:    []string{"Estates", "Properties", "Realty", "Homes"}, weight: 2,
		},
		"science": {
			words: map[string][]string{
				"en": {"physics", "astronomy", "biology", "research", "data science", "neuroscience"},
				"de": {"Physik", "Astronomie", "Biologie", "Forschung", "Wissenschaft"},
				"fr": {"physique", "astronomie", "biologie", "recherche scientifique", "science"},
				"es": {"física", "astronomía", "biología", "investigación", "ciencia"},
			},
			hashtags:  []string{"science", "astronomy", "physics", "biology"},
			languages: []string{"Jupyter Notebook", "R", "Julia", "Fortran"}, topics: []string{"bioinformatics", "astronomy", "physics", "research", "scientific-computing"}, repos: []string{"thesis", "simulation", "genome-pipeline", "telescope-data"},
			industry: map[string]string{"en": "Biotechnology research", "de": "Biotechnologie", "fr": "Biotechnologie", "es": "Biotecnología"},
			stems:    []string{"Labs", "Bio", "Research", "Sciences"}, weight: 5,
		},
		"shopping": {
			words: map[string][]string{
				"en": {"shopping", "deals", "online shopping", "product reviews"},
				"de": {"Shopping", "Schnäppchen", "Online-Shopping", "Produkttests"},
				"fr": {"shopping", "bons plans", "achats en ligne", "tests produits"},
				"es": {"compras", "ofertas", "compras en línea", "reseñas de productos"},
			},
			hashtags:  []string{"shopping", "deals", "ecommerce"},
			languages: []string{"PHP", "JavaScript"}, topics: []string{"ecommerce", "shopify", "price-tracker"}, repos: []string{"price-tracker", "shop-theme", "deal-alerts"},
			industry: map[string]string{"en": "E-commerce", "de": "Onlinehandel", "fr": "Commerce en ligne", "es": "Comercio electrónico"},
			stems:    []string{"Shop", "Store", "Market", "Outlet"}, weight: 2,
		},
		"software_dev": {
			words: map[string][]string{
				"en": {"software engineering", "open source", "programming", "golang", "rust", "web development", "devops"},
				"de": {"Softwareentwicklung", "Open Source", "Programmieren", "Webentwicklung", "DevOps"},
				"fr": {"développement logiciel", "logiciel libre", "programmation", "développement web", "DevOps"},
				"es": {"desarrollo de software", "código abierto", "programación", "desarrollo web", "DevOps"},
			},
			hashtags:  []string{"golang", "rust", "opensource", "programming", "python"},
			languages: []string{"Go", "Rust", "Python", "TypeScript", "Java", "Kotlin", "C#"}, topics: []string{"cli", "api", "kubernetes", "golang", "rust", "library", "devops", "compiler"}, repos: []string{"api-server", "cli", "dotfiles-manager", "parser", "http-router", "k8s-operator"},
			industry: map[string]string{"en": "Software development", "de": "Softwareentwicklung", "fr": "Éditeur de logiciels", "es": "Desarrollo de software"},
			stems:    []string{"Software", "Code", "Systems", "Labs"}, weight: 10,
		},
		"sports": {
			words: map[string][]string{
				"en": {"running", "football", "cycling", "climbing", "marathon", "tennis"},
				"de": {"Laufen", "Fußball", "Radfahren", "Klettern", "Marathon"},
				"fr": {"course à pied", "football", "cyclisme", "escalade", "marathon"},
				"es": {"running", "fútbol", "ciclismo", "escalada", "maratón"},
			},
			hashtags:  []string{"running", "cycling", "football", "climbing"},
			languages: []string{"Python", "Kotlin"}, topics: []string{"strava", "fitness", "sports", "gpx"}, repos: []string{"strava-export", "gpx-tools", "league-table"},
			industry: map[string]string{"en": "Sporting goods", "de": "Sportartikel", "fr": "Articles de sport", "es": "Artículos deportivos"},
			stems:    []string{"Sports", "Athletics", "Active", "Outdoor"}, weight: 8,
		},
		"style_fashion": {
			words: map[string][]string{
				"en": {"fashion", "style", "sneakers", "streetwear", "sustainable fashion"},
				"de": {"Mode", "Stil", "Sneaker", "Streetwear", "nachhaltige Mode"},
				"fr": {"mode", "style", "baskets", "streetwear", "mode durable"},
				"es": {"moda", "estilo", "zapatillas", "streetwear", "moda sostenible"},
			},
			hashtags:  []string{"fashion", "style", "sneakers", "streetwear"},
			languages: []string{"JavaScript"}, topics: []string{"fashion", "lookbook", "wardrobe"}, repos: []string{"wardrobe-app", "lookbook", "sneaker-drops"},
			industry: map[string]string{"en": "Fashion label", "de": "Modelabel", "fr": "Marque de mode", "es": "Marca de moda"},
			stems:    []string{"Apparel", "Atelier", "Threads", "Wear"}, weight: 4,
		},
		"technology": {
			words: map[string][]string{
				"en": {"technology", "gadgets", "smartphones", "home lab", "hardware", "self-hosting"},
				"de": {"Technik", "Gadgets", "Smartphones", "Homelab", "Hardware"},
				"fr": {"technologie", "gadgets", "smartphones", "matériel informatique", "auto-hébergement"},
				"es": {"tecnología", "gadgets", "smartphones", "hardware", "informática"},
			},
			hashtags:  []string{"tech", "homelab", "selfhosted", "gadgets", "linux"},
			languages: []string{"Shell", "C", "Python"}, topics: []string{"homelab", "self-hosted", "raspberry-pi", "linux", "hardware"}, repos: []string{"homelab", "pi-cluster", "router-config", "linux-setup"},
			industry: map[string]string{"en": "IT services", "de": "IT-Dienstleistungen", "fr": "Services informatiques", "es": "Servicios informáticos"},
			stems:    []string{"Tech", "Networks", "Digital", "Computing"}, weight: 9,
		},
		"travel": {
			words: map[string][]string{
				"en": {"travel", "backpacking", "hiking", "digital nomad", "van life"},
				"de": {"Reisen", "Backpacking", "Wandern", "Fernweh", "Roadtrips"},
				"fr": {"voyages", "randonnée", "sac à dos", "tour du monde"},
				"es": {"viajes", "mochilero", "senderismo", "nómada digital"},
			},
			hashtags:  []string{"travel", "hiking", "backpacking", "vanlife"},
			languages: []string{"JavaScript", "Python"}, topics: []string{"travel", "maps", "openstreetmap", "itinerary"}, repos: []string{"travel-map", "trip-planner", "packing-list"},
			industry: map[string]string{"en": "Travel agency", "de": "Reisebüro", "fr": "Agence de voyages", "es": "Agencia de viajes"},
			stems:    []string{"Travel", "Journeys", "Voyages", "Tours"}, weight: 8,
		},
		"video_gaming": {
			words: map[string][]string{
				"en": {"video games", "gaming", "game development", "esports", "retro games", "speedrunning"},
				"de": {"Videospiele", "Gaming", "Spieleentwicklung", "E-Sport", "Retro-Spiele"},
				"fr": {"jeux vidéo", "gaming", "développement de jeux", "e-sport", "retrogaming"},
				"es": {"videojuegos", "gaming", "desarrollo de videojuegos", "esports", "juegos retro"},
			},
			hashtags:  []string{"gamedev", "gaming", "indiegames", "retrogaming"},
			languages: []string{"C#", "GDScript", "C++", "Lua"}, topics: []string{"game", "gamedev", "unity", "godot", "game-engine", "minecraft"}, repos: []string{"platformer", "godot-game", "minecraft-mod", "roguelike"},
			industry: map[string]string{"en": "Video game studio", "de": "Spielestudio", "fr": "Studio de jeux vidéo", "es": "Estudio de videojuegos"},
			stems:    []string{"Games", "Interactive", "Pixel", "Play"}, weight: 7,
		},
	}
}

// devCategories are the interests that make developer platforms likely.
func devCategories() map[string]bool {
	return map[string]bool{"software_dev": true, "technology": true, "science": true}
}

// genericRepos are repository names unrelated to any interest.
func genericRepos() []string {
	return []string{"dotfiles", "notes", "homework", "playground", "website", "scripts", "test", "hello-world", "config", "snippets"}
}

// genericLanguages are repository languages unrelated to any interest.
func genericLanguages() []string {
	return []string{"Shell", "HTML", "JavaScript", "Python", "CSS", "Makefile"}
}
