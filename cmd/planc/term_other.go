//go:build !linux

package main

import "os"

// terminalWidth returns 0 (unknown) where planc does not ask the terminal;
// the progress bar then assumes $COLUMNS or 80 columns.
func terminalWidth(f *os.File) int { return 0 }
