// Package suggest finds the names a mistyped word was probably meant to be
// ("securty" → "security"), for "did you mean" hints. It uses
// agnivade/levenshtein (edit distance, Unicode-aware) rather than a
// hand-written distance.
package suggest

import (
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Closest returns the names nearest to word, best first: names that
// contain word or that word contains, then names within an edit distance
// of a third of word's length (at least 2, at most 3; 1 for words of two letters). Case is ignored.
// At most three names are returned; none when nothing is close.
func Closest(word string, names []string) []string {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "" {
		return nil
	}
	limit := min(max(len([]rune(w))/3, 2), 3)
	if len([]rune(w)) <= 2 {
		limit = 1
	}
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range names {
		ln := strings.ToLower(n)
		if ln == w {
			return []string{n}
		}
		d := levenshtein.ComputeDistance(w, ln)
		if len(w) >= 3 && (strings.Contains(ln, w) || strings.Contains(w, ln)) {
			d = 0
		}
		if d <= limit {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for _, c := range cs[:min(len(cs), 3)] {
		out = append(out, c.name)
	}
	return out
}

// Hint is "did you mean X?" or "did you mean X, Y or Z?", or "" when
// nothing is close.
func Hint(word string, names []string) string {
	c := Closest(word, names)
	switch len(c) {
	case 0:
		return ""
	case 1:
		return "did you mean " + c[0] + "?"
	}
	return "did you mean " + strings.Join(c[:len(c)-1], ", ") + " or " + c[len(c)-1] + "?"
}
