package lang

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"planc/ir"
	"planc/stdlib"
)

// Load reads the files (and everything they import), applies the overrides
// and checks the result. It returns the program built from whatever could be
// resolved together with every diagnostic found, sorted by position; the
// program is usable by later phases only when the diagnostics hold no error.
// Program.Sources holds every file read and, with overrides, `<--set>`.
func Load(paths []string, opts Options) (*ir.Program, ir.Diagnostics) {
	l := &loader{prog: ir.NewProgram(), seen: map[string]bool{}}
	for _, p := range paths {
		l.loadOS(p, ir.Span{})
	}
	return l.check(opts)
}

// loadSource is Load of one file given by its contents (the fuzz target
// uses it); its imports are read as usual.
func loadSource(name string, src []byte, opts Options) (*ir.Program, ir.Diagnostics) {
	l := &loader{prog: ir.NewProgram(), seen: map[string]bool{}}
	l.parseOS(name, src)
	return l.check(opts)
}

func (l *loader) check(opts Options) (*ir.Program, ir.Diagnostics) {
	c := newChecker(l.prog, l.files)
	c.diags = append(c.diags, l.diags...)
	c.parseOverrides(opts.Overrides)
	c.setPlan = opts.Plan
	c.checkAll()
	return l.prog, c.result()
}

// SetFile is the name of the pseudo-file that holds the --set overrides,
// one per line, in diagnostics.
const SetFile = "<--set>"

// loader reads files once each, following imports.
type loader struct {
	prog  *ir.Program
	files []*File
	seen  map[string]bool
	diags ir.Diagnostics
}

// stdlibPrefix names stdlib files in diagnostics: stdlib/hw/cpu.plan.
const stdlibPrefix = "stdlib/"

func (l *loader) loadOS(name string, at ir.Span) {
	key := name
	if abs, err := filepath.Abs(name); err == nil {
		key = abs
	}
	if l.seen["os:"+key] {
		return
	}
	l.seen["os:"+key] = true
	// A stdlib file named by its path in a checkout (planc check
	// stdlib/hw/*.plan) is the same file as its import path: read it once.
	stdPath, isStd := stdlibCheckoutPath(key)
	if isStd && l.seen["std:"+stdPath] {
		return
	}
	src, err := os.ReadFile(name)
	if err != nil {
		span := at
		if !span.IsValid() {
			span = ir.Span{File: name}
		}
		msg := err.Error()
		if pe, ok := err.(*fs.PathError); ok {
			msg = pe.Err.Error()
		}
		if at.IsValid() {
			l.diags = append(l.diags, ir.Errorf(span, "cannot read import %q: %s", name, msg))
		} else {
			l.diags = append(l.diags, ir.Errorf(span, "cannot read %s: %s", name, msg))
		}
		return
	}
	if isStd {
		l.seen["std:"+stdPath] = true
		l.parse(name, src, func(sub *Import) {
			if isStdlibPath(sub.Path) {
				l.loadStdlib(sub)
				return
			}
			l.loadStdlibPath(path.Join(path.Dir(stdPath), sub.Path), sub)
		})
		return
	}
	l.parseOS(name, src)
}

// stdlibCheckoutPath reports whether the absolute path abs is a file of the
// stdlib in a source checkout (".../stdlib/hw/cpu.plan" where the embedded
// stdlib has hw/cpu.plan), and returns its stdlib path.
func stdlibCheckoutPath(abs string) (string, bool) {
	slashed := filepath.ToSlash(abs)
	i := strings.LastIndex(slashed, "/"+strings.TrimSuffix(stdlibPrefix, "/")+"/")
	if i < 0 {
		return "", false
	}
	rel := slashed[i+len(stdlibPrefix)+1:]
	if _, err := fs.Stat(stdlib.FS, rel); err != nil {
		return "", false
	}
	return rel, true
}

// parseOS parses a file of the file system and follows its imports.
func (l *loader) parseOS(name string, src []byte) {
	l.parse(name, src, func(imp *Import) {
		if isStdlibPath(imp.Path) {
			l.loadStdlib(imp)
			return
		}
		p := imp.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(name), p)
		}
		l.loadOS(p, imp.PathSpan)
	})
}

// isStdlibPath tells a stdlib import ("hw/frontier") from a file path
// ("./x.plan", "../x.plan", "/abs/x.plan").
func isStdlibPath(p string) bool {
	return !strings.HasPrefix(p, "./") && !strings.HasPrefix(p, "../") && !filepath.IsAbs(p) && p != "." && p != ".."
}

func (l *loader) loadStdlib(imp *Import) {
	l.loadStdlibPath(stdlibFile(imp.Path), imp)
}

func stdlibFile(p string) string {
	p = path.Clean(p)
	if !strings.HasSuffix(p, ".plan") {
		p += ".plan"
	}
	return p
}

func (l *loader) loadStdlibPath(fsPath string, imp *Import) {
	if l.seen["std:"+fsPath] {
		return
	}
	src, err := fs.ReadFile(stdlib.FS, fsPath)
	if err != nil || strings.HasPrefix(fsPath, "../") {
		d := ir.Errorf(imp.PathSpan, "cannot find import %q in the stdlib", imp.Path)
		if s := suggest(strings.TrimSuffix(fsPath, ".plan"), stdlibNames()); s != "" {
			d.Suggestion = fmt.Sprintf("did you mean %q?", s)
		}
		l.diags = append(l.diags, d)
		return
	}
	l.seen["std:"+fsPath] = true
	l.parse(stdlibPrefix+fsPath, src, func(sub *Import) {
		if isStdlibPath(sub.Path) {
			l.loadStdlib(sub)
			return
		}
		// A relative import inside the stdlib stays inside it.
		l.loadStdlibPath(path.Join(path.Dir(fsPath), sub.Path), sub)
	})
}

// stdlibNames lists the stdlib import paths ("hw/cpu"), for suggestions.
func stdlibNames() []string {
	var names []string
	fs.WalkDir(stdlib.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".plan") {
			names = append(names, strings.TrimSuffix(p, ".plan"))
		}
		return nil
	})
	sort.Strings(names)
	return names
}

func (l *loader) parse(name string, src []byte, follow func(*Import)) {
	l.prog.Sources[name] = src
	f, diags := Parse(name, src)
	l.diags = append(l.diags, diags...)
	// Imported files come first, so that their declarations are the
	// first ones when a name is declared twice.
	for _, imp := range f.Imports {
		if imp.Path != "" {
			follow(imp)
		}
	}
	l.files = append(l.files, f)
}
