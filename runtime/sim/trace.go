package sim

import "planc/ir"

func category(k ir.ActionKind) string {
	switch {
	case k.IsCompute():
		return "compute"
	case k.IsP2P():
		return "p2p"
	case k.IsCollective():
		return "collective"
	}
	return "other"
}

var kindColor = map[ir.ActionKind]string{
	ir.ActF: "#4e79a7", ir.ActB: "#59a14f", ir.ActW: "#8cd17d", ir.ActOptimizer: "#b07aa1",
	ir.ActSendF: "#f28e2b", ir.ActRecvF: "#ffbe7d", ir.ActSendB: "#e15759", ir.ActRecvB: "#ff9d9a",
	ir.ActReduceGrad: "#76b7b2", ir.ActAllGatherParams: "#edc948", ir.ActAllReduceTied: "#9c755f", ir.ActGradNorm: "#bab0ac",
	ir.ActAllReduceSeq: "#d37295", ir.ActAllReduceKV: "#a0cbe8",
}

func escape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		case '&':
			out = append(out, "&amp;"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
