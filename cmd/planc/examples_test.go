package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tryLine is one command an example's header suggests: its arguments
// after "planc", and whether the header says it does not fit (then it
// exits 1 with the memory error).
type tryLine struct {
	args       []string
	doesNotFit bool
}

// tryLines returns the commands an example's header suggests: the lines
// of its "// Try:" block that start with planc, without "planc" and
// without a trailing "(comment)".
func tryLines(src string) []tryLine {
	var out []tryLine
	on := false
	for _, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(line, "//") {
			if on {
				break
			}
			continue
		}
		text := strings.TrimSpace(strings.TrimPrefix(line, "//"))
		if strings.HasPrefix(text, "Try:") {
			on, text = true, strings.TrimSpace(strings.TrimPrefix(text, "Try:"))
		}
		if !on || !strings.HasPrefix(text, "planc ") {
			continue
		}
		l := tryLine{}
		if i := strings.Index(text, " ("); i >= 0 {
			l.doesNotFit = strings.Contains(text[i:], "does not fit")
			text = text[:i]
		}
		l.args = strings.Fields(text)[1:]
		out = append(out, l)
	}
	return out
}

// TestExampleHeaders runs every command an example's header suggests, as a
// new user would paste it, from the repository root: each must succeed
// (exit 0), or where the header says it does not fit, exit 1 with the
// memory error. `planc run` lines run with --init-only, which checks the plan,
// the flags and the plan's selection and builds the trainer without
// training. The 1T plans' lines are left out with -short.
func TestExampleHeaders(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*.plan"))
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	tmp := t.TempDir()
	total := 0
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(wd, f))
		if err != nil {
			t.Fatal(err)
		}
		lines := tryLines(string(src))
		if len(lines) == 0 {
			t.Errorf("%s: its header suggests no command (a \"// Try: planc ...\" line)", filepath.Base(f))
		}
		for _, l := range lines {
			args := l.args
			if testing.Short() && regexp.MustCompile(`frontier_1t`).MatchString(strings.Join(args, " ")) {
				continue
			}
			if args[0] == "run" {
				args = append([]string{"run", "--init-only", "--checkpoint-dir", tmp}, args[1:]...)
			}
			if args[0] == "compile" {
				args = append(args, "-o", filepath.Join(tmp, "out"))
				if !strings.Contains(strings.Join(args, " "), "emit") {
					args[len(args)-1] += ".sched"
				}
			}
			var stdout, stderr bytes.Buffer
			code := runMain(args, &stdout, &stderr)
			switch {
			case l.doesNotFit && (code != exitError || !strings.Contains(stderr.String(), "GiB per device")):
				t.Errorf("%s: planc %s: exit %d; its header says it does not fit (exit 1, the memory error)\n%s", filepath.Base(f), strings.Join(args, " "), code, stderr.String())
			case !l.doesNotFit && code != exitOK:
				t.Errorf("%s: planc %s: exit %d\n%s", filepath.Base(f), strings.Join(args, " "), code, stderr.String())
			}
			total++
		}
	}
	t.Logf("%d suggested commands ran", total)
}
