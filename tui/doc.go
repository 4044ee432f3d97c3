// Package tui is `planc inspect`, the interactive plan inspector: a
// full-screen bubbletea program over one plan with five panes (overview,
// memory, time, timeline, search results) and a what-if editor of every
// plan knob.
//
// The contract: this package computes nothing itself. A [Session] loads
// and checks the file with package lang, compiles it with
// [passes.Compile] (the planner fills its auto fields), and prices every
// edit with [passes.Estimate], the planner's fast path, so a keypress
// re-evaluates even a 3072-rank plan in milliseconds; an edit the checker
// or the cost model refuses leaves the state unchanged and shows their
// message. The graph, the schedule and the simulated timeline
// (runtime/sim) of the current plan are computed off the update path, when
// a pane needs them ([Session.Deep]). `w` writes the edits back into the
// file with [lang.SetFields] (the formatter, comments kept); `u` undoes;
// `r` re-runs the planner for the auto fields left ([Session.Replan]). The
// Search pane ranks the plan's space with [passes.Search] and loads a
// result as edits.
//
// [Model] is the bubbletea model; [Model.Render] is its screen as a
// string, which the golden tests pin with the ANSI codes stripped.
package tui
