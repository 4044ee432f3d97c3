package tui

import (
	"fmt"
	"os"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"planc/ir"
)

// styles are the inspector's colours. Under NO_COLOR (https://no-color.org)
// every style is plain but for bold and reverse video, which carry the
// selection; the memory bars and the Gantt chart tell kinds apart by
// letter, never by colour alone.
type styles struct {
	title, tab, tabOn, sel, dim, good, bad, changed lipgloss.Style
	kind                                            map[byte]lipgloss.Style
	help                                            help.Styles
}

func newStyles() styles {
	if os.Getenv("NO_COLOR") != "" {
		plain := lipgloss.NewStyle()
		return styles{title: plain.Bold(true), tab: plain, tabOn: plain.Bold(true), sel: plain.Reverse(true),
			dim: plain, good: plain, bad: plain.Bold(true), changed: plain.Bold(true), kind: map[byte]lipgloss.Style{},
			help: help.Styles{ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain, Ellipsis: plain,
				FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain}}
	}
	c := lipgloss.Color
	s := styles{
		title:   lipgloss.NewStyle().Bold(true).Foreground(c("15")).Background(c("24")),
		tab:     lipgloss.NewStyle().Foreground(c("245")),
		tabOn:   lipgloss.NewStyle().Bold(true).Foreground(c("231")),
		sel:     lipgloss.NewStyle().Reverse(true),
		dim:     lipgloss.NewStyle().Foreground(c("244")),
		good:    lipgloss.NewStyle().Foreground(c("42")),
		bad:     lipgloss.NewStyle().Bold(true).Foreground(c("203")),
		changed: lipgloss.NewStyle().Foreground(c("214")),
		help:    help.DefaultDarkStyles(),
	}
	s.kind = map[byte]lipgloss.Style{}
	for ch, col := range map[byte]string{
		'P': "33", 'G': "39", 'O': "141", 'A': "208", 'M': "170", 'C': "44", 'W': "250", // memory
		'F': "33", 'B': "208", 'w': "141", 'o': "42", '~': "244", 'c': "33", 'e': "203", 'b': "240", 'x': "42",
	} {
		s.kind[ch] = lipgloss.NewStyle().Foreground(c(col))
	}
	return s
}

// paint colours a run of one kind's letter.
func (st styles) paint(ch byte, s string) string {
	if k, ok := st.kind[ch]; ok {
		return k.Render(s)
	}
	return s
}

func gib(b float64) string { return fmt.Sprintf("%.2f", b/(1<<30)) }

// seconds prints a duration with a unit that keeps 3-4 digits, as explain
// does.
func seconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.3f s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3f ms", s*1e3)
	default:
		return fmt.Sprintf("%.3f us", s*1e6)
	}
}

func num(x float64) string { return fmt.Sprintf("%.4g", x) }

func pct(x, of float64) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*x/of)
}

func bytesStr(b float64) string { return ir.FormatBytes(b) }
