package loader

import "strings"

// suggest returns the field of table (in version v) that name is most
// likely a misspelling of, or "" when none is near: at most one edit for
// names of up to four letters, two for longer ones, case ignored.
func suggest(name string, table []field, v version) string {
	limit := 2
	if len(name) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, fd := range table {
		if !fd.in.has(v) || fd.name == name {
			continue
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(fd.name)); d < bestDist {
			best, bestDist = fd.name, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of two neighbours each
// count one ("mesage" -> "message" and "chnanels" -> "channels" are 1).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// three rows: the one before the previous is needed for swaps
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
