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

// func lnFwdOutAVX2(y, x, gamma, beta *float32, n int, mu, rs float32)
//
// y[j] = ((x[j]−mu)·rs)·gamma[j] + beta[j], n a multiple of 8, rounded as
// the scalar loop (no fused multiply-add).
TEXT ·lnFwdOutAVX2(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ gamma+16(FP), R8
	MOVQ beta+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS mu+40(FP), Y14
	VBROADCASTSS rs+44(FP), Y15
	SHRQ $3, CX
	JEQ  fdone

floop:
	VMOVUPS (SI), Y0
	VSUBPS Y14, Y0, Y0
	VMULPS Y15, Y0, Y0
	VMULPS (R8), Y0, Y0
	VADDPS (R9), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNE  floop

fdone:
	VZEROUPPER
	RET

// func lnBwdDxAVX2(dx, dy, x, gamma *float32, n int, mu, rs, sg, sgx float32)
//
// dx[j] += rs·((dy[j]·gamma[j] − sg) − ((x[j]−mu)·rs)·sgx), n a multiple
// of 8, rounded as the scalar loop.
TEXT ·lnBwdDxAVX2(SB), NOSPLIT, $0-56
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ gamma+24(FP), R8
	MOVQ n+32(FP), CX
	VBROADCASTSS mu+40(FP), Y12
	VBROADCASTSS rs+44(FP), Y13
	VBROADCASTSS sg+48(FP), Y14
	VBROADCASTSS sgx+52(FP), Y15
	SHRQ $3, CX
	JEQ  bdone

bloop:
	VMOVUPS (SI), Y0
	VSUBPS Y12, Y0, Y0   // x − mu
	VMULPS Y13, Y0, Y0   // xh
	VMULPS Y15, Y0, Y0   // xh·sgx
	VMOVUPS (DX), Y1
	VMULPS (R8), Y1, Y1  // dy·gamma
	VSUBPS Y14, Y1, Y1   // − sg
	VSUBPS Y0, Y1, Y1    // − xh·sgx
	VMULPS Y13, Y1, Y1   // rs·(…)
	VADDPS (DI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, SI
	ADDQ $32, R8
	DECQ CX
	JNE  bloop

bdone:
	VZEROUPPER
	RET

// func scaleAVX2(x *float32, n int, s float32)
//
// x[j] *= s, n a multiple of 8.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS s+16(FP), Y15
	SHRQ $3, CX
	JEQ  sdone

sloop:
	VMULPS (DI), Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	DECQ CX
	JNE  sloop

sdone:
	VZEROUPPER
	RET

// func attnDSAVX2(dp, p *float32, n int, delta, scale float32)
//
// dp[j] = (p[j]·(dp[j]−delta))·scale, n a multiple of 8: the gradient of
// the scores from that of the probabilities, rounded as the scalar loop.
TEXT ·attnDSAVX2(SB), NOSPLIT, $0-32
	MOVQ dp+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS delta+24(FP), Y14
	VBROADCASTSS scale+28(FP), Y15
	SHRQ $3, CX
	JEQ  ddone

dloop:
	VMOVUPS (DI), Y0
	VSUBPS Y14, Y0, Y0
	VMULPS (SI), Y0, Y0
	VMULPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNE  dloop

ddone:
	VZEROUPPER
	RET

// func maxAVX2(x *float32, n int) float32
//
// The largest of x[0..n), n a positive multiple of 8 (max is exact in any
// order; a NaN may be dropped, but it reaches the softmax through exp).
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VMOVUPS (SI), Y0
	ADDQ $32, SI
	SHRQ $3, CX
	DECQ CX
	JEQ  mreduce

mloop:
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	DECQ CX
	JNE  mloop

mreduce:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4E, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xB1, X0, X1
	VMAXPS X1, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func sumSquaresAVX512(s *[8]float64, x *float32, n int)
//
// s[j] = Σ x[i]² over i ≡ j (mod 8), i < n (a multiple of 8), each lane
// one float64 chain in increasing i: sumSquares8's eight partial sums.
// A float32 squared is exact in float64, so the fused multiply-add rounds
// once, as the scalar loop's addition does: the same bits.
TEXT ·sumSquaresAVX512(SB), NOSPLIT, $0-24
	MOVQ s+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORQ Z0, Z0, Z0
	SHRQ $3, CX
	JEQ  ssdone

ssloop:
	VCVTPS2PD (SI), Z1
	VFMADD231PD Z1, Z1, Z0
	ADDQ $32, SI
	DECQ CX
	JNE  ssloop

ssdone:
	VMOVUPD Z0, (DI)
	VZEROUPPER
	RET
