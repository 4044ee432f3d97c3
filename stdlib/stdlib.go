// Package stdlib embeds planc's standard library of plan files: the hardware
// of docs/cost-model.md under hw/ and published and tiny models under models/.
// An import path such as "hw/frontier" names the file hw/frontier.plan here.
package stdlib

import "embed"

// FS holds every stdlib .plan file, by its path ("hw/frontier.plan").
//
//go:embed hw/*.plan models/*.plan
var FS embed.FS
