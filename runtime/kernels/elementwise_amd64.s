#include "textflag.h"

// func addAVX2(dst, src *float32, n int)
//
// dst[i] += src[i] for i < n, n a multiple of 8: one rounding per element,
// as the scalar loop.
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JEQ  adone

aloop:
	VMOVUPS (DI), Y0
	VADDPS (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNE  aloop

adone:
	VZEROUPPER
	RET

// func lnParamsAVX2(dgamma, dbeta, x, dy *float32, n int, mu, rs float32)
//
// dgamma[j] += (dy[j]·(x[j]−mu))·rs and dbeta[j] += dy[j] for j < n, n a
// multiple of 8, with the scalar loop's roundings in its order (no fused
// multiply-add).
TEXT ·lnParamsAVX2(SB), NOSPLIT, $0-48
	MOVQ dgamma+0(FP), DI
	MOVQ dbeta+8(FP), R8
	MOVQ x+16(FP), SI
	MOVQ dy+24(FP), DX
	MOVQ n+32(FP), CX
	VBROADCASTSS mu+40(FP), Y14
	VBROADCASTSS rs+44(FP), Y15
	SHRQ $3, CX
	JEQ  ldone

lloop:
	VMOVUPS (SI), Y0
	VSUBPS Y14, Y0, Y0   // x − mu
	VMOVUPS (DX), Y1     // dy
	VMULPS Y0, Y1, Y0    // dy·(x − mu)
	VMULPS Y15, Y0, Y0   // ·rs
	VADDPS (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	VADDPS (R8), Y1, Y1
	VMOVUPS Y1, (R8)
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNE  lloop

ldone:
	VZEROUPPER
	RET
