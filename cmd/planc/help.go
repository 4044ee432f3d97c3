package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Help and exit codes are the same for every subcommand:
//
//   - `planc CMD -h`, `planc CMD --help` and `planc help CMD` print the
//     command's usage (synopsis, summary, flags, examples) to stdout and
//     exit 0;
//   - a bad flag or missing argument prints the error and the usage to
//     stderr and exits 2.
//
// A subcommand builds its flags with [newFlags] and parses them with
// [parseCommand].

// newFlags returns the flag set of `planc name`: its usage is the synopsis
// (what follows `planc name`), the command's summary, the flags and the
// examples, each example a command line without the leading "planc ".
func newFlags(name, synopsis string, stderr io.Writer, examples ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("planc "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: planc %s %s\n", name, synopsis)
		if c := commands[name]; c != nil {
			summary := strings.TrimSuffix(c.summary, ".")
			fmt.Fprintf(w, "\n%s%s.\n", strings.ToUpper(summary[:1]), summary[1:])
		}
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
		if len(examples) > 0 {
			fmt.Fprintln(w, "\nexamples:")
			for _, e := range examples {
				fmt.Fprintf(w, "  planc %s\n", e)
			}
		}
	}
	return fs
}

// parseCommand parses a subcommand's arguments with parseFlags. It returns
// ok when the command should go on; otherwise the exit code: exitOK after
// printing the usage to stdout for -h or --help, exitUsage after a bad
// flag (the flag package has printed the error and the usage to stderr).
func parseCommand(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, ok bool) {
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK, false
	}
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, false
	}
	return exitOK, true
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// usageError prints a command's usage to stderr for a missing argument and
// returns exitUsage.
func usageError(fs *flag.FlagSet, format string, a ...any) int {
	if format != "" {
		fmt.Fprintf(fs.Output(), "%s: "+format+"\n", append([]any{fs.Name()}, a...)...)
	}
	fs.Usage()
	return exitUsage
}

func init() {
	register(&command{name: "version", summary: "print planc's version, commit and Go version", run: runVersion})
	register(&command{name: "help", summary: "print the usage of planc or of one command (planc help run)", run: runHelp})
}

// runVersion implements `planc version`: the module version (or "devel"),
// the VCS commit and time the binary was built from, and the Go version.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "", stderr, "version")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	fmt.Fprintln(stdout, versionString())
	return exitOK
}

func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "planc (no build information)"
	}
	version := bi.Main.Version
	if version == "" || version == "(devel)" {
		version = "devel"
	}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = " (modified)"
			}
		}
	}
	out := "planc " + version
	if rev == "" {
		out += " (commit unknown: built without VCS stamping, e.g. -buildvcs=false)"
	} else {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += " commit " + rev + dirty
		if at != "" {
			out += " " + at
		}
	}
	return out + " " + bi.GoVersion
}

// runHelp implements `planc help [COMMAND]`.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || wantsHelp(args[:1]) {
		usage(stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "planc help: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run([]string{"-h"}, stdout, stderr)
}
