#include "textflag.h"

// The GELU kernels take k, the constants of gelu.go's geluConsts, each
// repeated 8 times (one 32-byte row per constant, at 32·index):
//   0 c = sqrt(2/π)   1 c·0.044715   2 clamp   3 −clamp
//   4…10 the tanh numerator's coefficients, highest first
//   11…14 the denominator's, highest first
//   15 0.5   16 0.5·c   17 1.5·0.044715·c   18 1   19 the mask of |·|
// n is a multiple of 8 (the Go side pads the tail).

// ARG8 leaves u = c·(x + 0.044715·x³) in Y2 for x in Y0, x² in Y1.
#define ARG8 \
	VMOVUPS 32(DX), Y2 \
	VFMADD213PS 0(DX), Y1, Y2 \
	VMULPS Y2, Y0, Y2

// TANH8 leaves tanh(u) in Y4 for u in Y2 (clamped there): the rational
// function where |u| is below the clamp, exactly ±1 beyond it (where the
// function gives 1 − 6e-8, which x and w would magnify).
#define TANH8 \
	VANDPS 608(DX), Y2, Y13 \
	VCMPPS $1, 64(DX), Y13, Y14 \
	VXORPS Y13, Y2, Y15 \
	VORPS 576(DX), Y15, Y15 \
	VMINPS 64(DX), Y2, Y2 \
	VMAXPS 96(DX), Y2, Y2 \
	VMULPS Y2, Y2, Y3 \
	VMOVUPS 128(DX), Y4 \
	VFMADD213PS 160(DX), Y3, Y4 \
	VFMADD213PS 192(DX), Y3, Y4 \
	VFMADD213PS 224(DX), Y3, Y4 \
	VFMADD213PS 256(DX), Y3, Y4 \
	VFMADD213PS 288(DX), Y3, Y4 \
	VFMADD213PS 320(DX), Y3, Y4 \
	VMULPS Y4, Y2, Y4 \
	VMOVUPS 352(DX), Y5 \
	VFMADD213PS 384(DX), Y3, Y5 \
	VFMADD213PS 416(DX), Y3, Y5 \
	VFMADD213PS 448(DX), Y3, Y5 \
	VDIVPS Y5, Y4, Y4 \
	VANDPS Y14, Y4, Y4 \
	VANDNPS Y15, Y14, Y15 \
	VORPS Y15, Y4, Y4

// func geluFwdAVX2(y, x *float32, n int, k *float32)
TEXT ·geluFwdAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ k+24(FP), DX
	SHRQ $3, CX
	JEQ fwddone

fwdloop:
	VMOVUPS (SI), Y0
	VMULPS Y0, Y0, Y1
	ARG8
	TANH8
	VMULPS 480(DX), Y0, Y6
	VFMADD213PS Y6, Y6, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE fwdloop

fwddone:
	VZEROUPPER
	RET

// func geluBwdAVX2(dx, dy, x *float32, n int, k *float32)
//
// dx += dy·(0.5 + 0.5·th + w·(1 − th²)) with w = x·(0.5·c + 1.5·0.044715·c·x²).
TEXT ·geluBwdAVX2(SB), NOSPLIT, $0-40
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), BX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ k+32(FP), DX
	SHRQ $3, CX
	JEQ bwddone

bwdloop:
	VMOVUPS (SI), Y0
	VMULPS Y0, Y0, Y1
	ARG8
	TANH8
	VMOVUPS 544(DX), Y7
	VFMADD213PS 512(DX), Y1, Y7
	VMULPS Y7, Y0, Y7
	VMULPS Y4, Y4, Y8
	VMOVUPS 576(DX), Y9
	VSUBPS Y8, Y9, Y9
	VMULPS Y9, Y7, Y7
	VMOVUPS 480(DX), Y10
	VFMADD213PS Y10, Y10, Y4
	VADDPS Y7, Y4, Y4
	VMOVUPS (BX), Y11
	VMOVUPS (DI), Y12
	VFMADD231PS Y11, Y4, Y12
	VMOVUPS Y12, (DI)
	ADDQ $32, SI
	ADDQ $32, BX
	ADDQ $32, DI
	DECQ CX
	JNE bwdloop

bwddone:
	VZEROUPPER
	RET
