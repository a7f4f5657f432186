// Package scoring turns evidence into interest probabilities, an influence
// score and an identity-risk score. Everything here is a pure,
// deterministic function of its inputs (time is injected); it imports no
// network code.
package scoring

import "slices"

// Category is one interest category. IDs are stable API values: never
// renamed or reused. IAB names the IAB Content Taxonomy tier-1 (or tier-2,
// where noted) category it corresponds to.
type Category struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	IAB  string `json:"iab"`
}

// Taxonomy lists every category footprint can return. It deliberately
// leaves out the special categories of personal data (GDPR art. 9):
// health, religion, politics, ethnicity, sexuality — and IAB categories
// that mostly carry them (Medical Health, Healthy Living, News and
// Politics, Religion & Spirituality, Family and Relationships' dating).
// They are never inferred; see TestNoSpecialCategories.
func Taxonomy() []Category { return slices.Clone(taxonomy[:]) }

// taxonomy is Taxonomy's list, read-only: Interests reads it without
// copying it on every lookup.
var taxonomy = [...]Category{
	{"automotive", "Automotive", "Automotive"},
	{"books_literature", "Books & Literature", "Books and Literature"},
	{"business_finance", "Business & Finance", "Business and Finance"},
	{"careers", "Careers", "Careers"},
	{"education", "Education", "Education"},
	{"events", "Events & Attractions", "Events and Attractions"},
	{"fine_art", "Fine Art & Design", "Fine Art"},
	{"food_drink", "Food & Drink", "Food & Drink"},
	{"hobbies", "Hobbies & Crafts", "Hobbies & Interests"},
	{"home_garden", "Home & Garden", "Home & Garden"},
	{"movies_tv", "Movies & Television", "Movies / Television"},
	{"music_audio", "Music & Audio", "Music and Audio"},
	{"parenting", "Parenting", "Family and Relationships > Parenting"},
	{"personal_finance", "Personal Finance & Crypto", "Personal Finance"},
	{"pets", "Pets", "Pets"},
	{"photography", "Photography", "Hobbies & Interests > Photography"},
	{"pop_culture", "Pop Culture", "Pop Culture"},
	{"real_estate", "Real Estate", "Real Estate"},
	{"science", "Science", "Science"},
	{"shopping", "Shopping", "Shopping"},
	{"software_dev", "Software Development", "Technology & Computing > Computing > Programming"},
	{"sports", "Sports", "Sports"},
	{"style_fashion", "Style & Fashion", "Style & Fashion"},
	{"technology", "Technology & Computing", "Technology & Computing"},
	{"travel", "Travel", "Travel"},
	{"video_gaming", "Video Gaming", "Video Gaming"},
}
