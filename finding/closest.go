package finding

import (
	"slices"
	"sort"
	"strings"
)

// Closest returns up to n of names most similar to name, best first, for
// "did you mean" advice: the doctor's verdict on a misspelt --break
// function and the resolver's error for a misspelt symbol both use it, so
// one typo gets one answer. Similarity is the edit (Levenshtein) distance,
// up to a third of name's length (at least 3); a name whose last element
// (after the last '.') equals name's, ignoring case, counts as one edit
// closer: the same function in another package, or in another letter case,
// is a good guess. Ties are broken by name; duplicates count once.
func Closest(name string, names []string, n int) []string {
	type cand struct {
		name string
		dist int
	}
	limit := max(3, len(name)/3)
	base := lastElem(name)
	var cs []cand
	seen := map[string]bool{}
	for _, c := range names {
		if seen[c] {
			continue
		}
		seen[c] = true
		d := distance(name, c, limit)
		if strings.EqualFold(lastElem(c), base) {
			d = min(d, limit) - 1
		}
		if d <= limit {
			cs = append(cs, cand{c, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].dist != cs[j].dist {
			return cs[i].dist < cs[j].dist
		}
		return cs[i].name < cs[j].name
	})
	out := make([]string, 0, min(n, len(cs)))
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return slices.Clip(out)
}

// lastElem returns what follows the last '.' of a function name.
func lastElem(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// distance returns the Levenshtein distance of a and b, or limit+1 when it
// is larger than limit.
func distance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
