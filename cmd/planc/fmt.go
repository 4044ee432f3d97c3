package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"planc/ir"
	"planc/lang"
)

func init() {
	register(&command{name: "fmt", summary: "print plan files in canonical form (-w rewrites them, -l lists those that differ)", run: runFmt})
}

// runFmt implements `planc fmt [-w] [-l] FILE...`. Without flags it prints
// the canonical form of each file to stdout. A file with syntax errors is
// left alone and its errors printed; the exit code is then 1.
func runFmt(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fmt", "[-w] [-l] FILE...", stderr,
		"fmt examples/tiny_gpt.plan",
		"fmt -l examples/*.plan",
		"fmt -w my.plan")
	write := fs.Bool("w", false, "rewrite the files that are not in canonical form")
	list := fs.Bool("l", false, "list the files that are not in canonical form")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(fs, "no files")
	}
	code := exitOK
	for _, name := range fs.Args() {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "planc fmt: %v\n", err)
			code = exitError
			continue
		}
		out, diags := lang.Format(name, src)
		if diags.HasErrors() {
			printDiagnostics(stderr, diags, ir.Sources{name: src}, false)
			code = exitError
			continue
		}
		differs := !bytes.Equal(out, src)
		if *list && differs {
			fmt.Fprintln(stdout, name)
		}
		if *write && differs {
			if err := writeAtomically(name, out); err != nil {
				fmt.Fprintf(stderr, "planc fmt: %v\n", err)
				code = exitError
			}
		}
		if !*list && !*write {
			stdout.Write(out)
		}
	}
	return code
}

// writeAtomically replaces a file by writing a temporary file beside it
// and renaming it over the original, keeping the original's permissions,
// so that a crash never leaves a half-written plan.
func writeAtomically(name string, data []byte) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
