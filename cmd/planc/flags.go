package main

import "flag"

// parseFlags parses args like fs.Parse, but lets flags follow the file
// arguments too (`planc run FILE --steps 50`), as users of compilers expect.
// A literal "--" ends flag parsing. Afterwards fs.Args() holds the
// positional arguments in their order.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		// fs.Parse stops at the first non-flag, or consumes a "--" and
		// stops right after it; tell the two apart by what preceded.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}
