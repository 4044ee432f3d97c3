package lang

import (
	"io/fs"
	"sort"
	"sync"

	"planc/stdlib"
)

// stdlibDecls indexes the stdlib's declarations: kind and name → the
// import path of the file that declares them ("model tiny_gpt" →
// "models/tiny"), for the hint of an undefined name.
var stdlibDecls = sync.OnceValue(func() map[string]string {
	index := map[string]string{}
	fs.WalkDir(stdlib.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		src, err := fs.ReadFile(stdlib.FS, p)
		if err != nil {
			return nil
		}
		f, _ := Parse(stdlibPrefix+p, src)
		for _, decl := range f.Decls {
			index[decl.Kind+" "+decl.Name] = p[:len(p)-len(".plan")]
		}
		return nil
	})
	return index
})

// stdlibDeclarer returns the stdlib import path that declares kind name
// exactly, or else the closest stdlib name of that kind and its import
// path; "" when there is none.
func stdlibDeclarer(kind, name string) (path, declared string) {
	index := stdlibDecls()
	if p, ok := index[kind+" "+name]; ok {
		return p, name
	}
	var names []string
	for key := range index {
		if len(key) > len(kind) && key[:len(kind)+1] == kind+" " {
			names = append(names, key[len(kind)+1:])
		}
	}
	sort.Strings(names)
	if s := suggest(name, names); s != "" {
		return index[kind+" "+s], s
	}
	return "", ""
}

// suggest returns the candidate closest to name by edit distance, when it
// is close enough to be a plausible misspelling, else "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := editDistance(name, c)
		if best == "" || d < bestDist || d == bestDist && c < best {
			best, bestDist = c, d
		}
	}
	limit := 1 + len(name)/3
	if best == "" || bestDist > limit || bestDist >= len(name) && bestDist >= len(best) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance with adjacent transpositions
// counted as one edit (optimal string alignment).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return max(len(a), len(b))
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
