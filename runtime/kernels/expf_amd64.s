#include "textflag.h"

// func expfAVX2(dst, src *float32, n int, scale, shift float32, k *float32)
//
// dst[i] = expf(src[i]·scale − shift) for n (a multiple of 8) elements, by
// expf's algorithm (Cephes) 8 lanes at a time. k holds expVecConsts, each
// repeated 8 times (32·index):
//   0 −87.33654 (below: 0)   1 88.72283 (clamp)   2 log2(e)   3 1.5·2²³
//   4 ln2Hi   5 ln2Lo   6…11 the polynomial, highest first   12 1
//   13 127 as int32
// The product and the difference are rounded apart, as in the Go code.
// A NaN argument gives NaN.
TEXT ·expfAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS scale+24(FP), Y10
	VBROADCASTSS shift+28(FP), Y11
	MOVQ k+32(FP), DX
	VMOVUPS 0(DX), Y12
	VMOVUPS 32(DX), Y13
	SHRQ $3, CX
	JEQ done

loop:
	VMULPS (SI), Y10, Y0
	VSUBPS Y11, Y0, Y0
	VCMPPS $1, Y12, Y0, Y14
	VMAXPS Y0, Y12, Y0
	VMINPS Y0, Y13, Y0
	VMULPS 64(DX), Y0, Y1
	VADDPS 96(DX), Y1, Y1
	VSUBPS 96(DX), Y1, Y1
	VMOVAPS Y0, Y2
	VFNMADD231PS 128(DX), Y1, Y2
	VFNMADD231PS 160(DX), Y1, Y2
	VMULPS Y2, Y2, Y3
	VMOVUPS 192(DX), Y4
	VFMADD213PS 224(DX), Y2, Y4
	VFMADD213PS 256(DX), Y2, Y4
	VFMADD213PS 288(DX), Y2, Y4
	VFMADD213PS 320(DX), Y2, Y4
	VFMADD213PS 352(DX), Y2, Y4
	VFMADD213PS Y2, Y3, Y4
	VADDPS 384(DX), Y4, Y4
	VCVTPS2DQ Y1, Y5
	VPADDD 416(DX), Y5, Y5
	VPSLLD $23, Y5, Y5
	VMULPS Y5, Y4, Y4
	VANDNPS Y4, Y14, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE loop

done:
	VZEROUPPER
	RET
