package stdlib

// Closest returns the candidate nearest to name by edit distance, when it is
// near enough to be a plausible typo (at most a third of the name's length,
// and at least one edit), or "".
func Closest(name string, candidates []string) string {
	best, bestDist := "", min(len(name)/3+1, 3)
	better := func(c string, d int) bool {
		if best == "" || d != bestDist {
			return best == "" || d < bestDist
		}
		if lc, lb := abs(len(c)-len(name)), abs(len(best)-len(name)); lc != lb {
			return lc < lb
		}
		return c < best
	}
	for _, c := range candidates {
		d := Distance(name, c)
		if d == 0 {
			return ""
		}
		if d <= bestDist && better(c, d) {
			best, bestDist = c, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ClosestBuiltin suggests a builtin of the given kind for a misspelt name.
func ClosestBuiltin(name string, kind Kind) string {
	var names []string
	for _, e := range entries {
		if e.Kind == kind || (kind == Function && e.Kind == Aggregation) || (kind == Function && e.Callable()) {
			if e.Name != "argN" {
				names = append(names, e.Name)
			}
		}
	}
	return Closest(name, names)
}

// ClosestProbeKind suggests a probe kind for a misspelt one.
func ClosestProbeKind(name string) string {
	var names []string
	for _, k := range probeKinds {
		names = append(names, k.Name)
		for _, a := range k.Aliases {
			if len(a) > 2 {
				names = append(names, a)
			}
		}
	}
	return Closest(name, names)
}

// Distance is the edit distance between a and b in bytes, counting an
// insertion, a deletion, a substitution or a swap of two neighbours as one
// edit (optimal string alignment).
func Distance(a, b string) int {
	rows := make([][]int, len(a)+1)
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, rows[i-2][j-2]+1)
			}
			rows[i][j] = d
		}
	}
	return rows[len(a)][len(b)]
}
