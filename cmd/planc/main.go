// Command planc compiles parallel training plans: it checks them, explains
// their memory and time, simulates and runs their schedules, and emits
// kernels. This package holds only the command line: flags, output formats
// and exit codes (0 success, 1 the input has errors, 2 usage errors, 3 an
// internal error of planc: a bug, reported with a request to file it;
// -h, --help and `planc help CMD` print usage to stdout and exit 0).
//
// Each subcommand lives in its own file and registers itself with
// [register]; `planc compile --emit=KIND` back ends register with
// [registerEmitter].
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// command is one `planc NAME` subcommand.
type command struct {
	name    string
	summary string
	// run executes the command with the arguments after its name and
	// returns the exit code.
	run func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("planc: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitInternal is a panic: a bug in planc, never the user's input.
	exitInternal = 3
)

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain is main without the process: the testscript tests call it too.
// A panic becomes exit code 3 with a request to report it.
func runMain(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "planc: internal error: %v\n%s\nThis is a bug in planc, not in your plan: please report it with the command line and the plan file.\n", r, debug.Stack())
			code = exitInternal
		}
	}()
	switch {
	case len(args) == 0:
		usage(stderr)
		return exitUsage
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		usage(stdout)
		return exitOK
	case args[0] == "-version" || args[0] == "--version":
		return runVersion(nil, stdout, stderr)
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "planc: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: planc COMMAND [flags] FILE...")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'planc help COMMAND' (or 'planc COMMAND -h') for a command's flags and examples.")
	fmt.Fprintln(w, "Documentation: docs/ in the repository (language, semantics, cost model, glossary).")
}
