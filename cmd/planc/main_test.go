package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the cmp files of the scripts from the actual output")

// TestMain lets the scripts run planc as a program: testscript re-executes
// this test binary under the name planc, which calls runMain.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"planc": func() { os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts of testdata/script. $REPO is the
// repository root, for scripts that use the examples. The command
// `status CODE planc ARGS...` runs planc and checks its exact exit code
// (0 clean, 1 errors in the input, 2 usage), keeping its output for
// stdout/stderr/cmp like exec does.
func TestScripts(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: status CODE COMMAND [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("status: bad exit code %q", args[0])
				}
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var exit *exec.ExitError
					if !errors.As(err, &exit) {
						ts.Fatalf("status: %v", err)
					}
					got = exit.ExitCode()
				}
				if got != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
		},
	})
}

// TestEveryCommandHasHelp: each registered subcommand answers -h with its
// usage, its flags and at least one example on stdout, and exit status 0
// (testdata/script/help.txtar checks the forms of asking).
func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commands {
		if name == "help" {
			continue
		}
		var stdout, stderr strings.Builder
		code := runMain([]string{name, "-h"}, &stdout, &stderr)
		out := stdout.String()
		if code != exitOK || stderr.Len() > 0 {
			t.Errorf("planc %s -h: exit %d, stderr %q", name, code, stderr.String())
		}
		for _, want := range []string{"usage: planc " + name, "flags:", "examples:\n  planc " + name} {
			if !strings.Contains(out, want) {
				t.Errorf("planc %s -h lacks %q:\n%s", name, want, out)
			}
		}
	}
}
