#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// QUOTIENT(a, b, y, q, r) sets q to RN(a/b) lane by lane, for finite a,
// b in (0, 1] and y = RN(1/b), without the divider; r is a scratch
// register. A zero a gives a (its sign kept). Uses Z19 = +0 and K3.
#define QUOTIENT(a, b, y, q, r) \
	VMULPD y, a, q; \
	VMOVAPD a, r; \
	VFNMADD231PD q, b, r; \
	VFMADD231PD r, y, q; \
	VMOVAPD a, r; \
	VFNMADD231PD q, b, r; \
	VFMADD231PD r, y, q; \
	VCMPPD $0, Z19, a, K3; \
	VMOVAPD a, K3, q

// func adamw8AVX512(param, grad, m, v *float32, n int, k *stepConsts)
//
// The AdamW update of Config.Step, eight elements at a time in float64
// with the same operations in the same order (no fused multiply-add where
// the scalar loop rounds), so every element gets the bits of the scalar
// loop. n is a multiple of 8. k points at scale, b1, 1−b1, b2, 1−b2, bc1,
// bc2, lr, eps, decay, 1/bc1, 1/bc2.
//
// The divisions by the bias corrections are done without the divider
// (which bounded the loop: 360 Melem/s with three divisions, 650 with
// one), by Markstein's correction of the quotient through the reciprocal
// y = RN(1/b): q1 = RN(a·y), q2 = RN(q1 + RN(a − b·q1)·y) (faithful),
// r = a − b·q2 (exact) and q = RN(q2 + r·y), which is RN(a/b), the
// division's own result, for every finite non-zero a (Muller et al.,
// Handbook of Floating-Point Arithmetic, the theorem on Markstein's
// iteration; no underflow here: |a| ≥ 2⁻¹⁴⁹ and b ∈ (0, 1]). A zero a
// keeps its sign (q = a); a vector holding an infinity or a NaN takes the
// divisions.
TEXT ·adamw8AVX512(SB), NOSPLIT, $0-48
	MOVQ param+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ k+40(FP), AX
	VBROADCASTSD 0(AX), Z20  // scale
	VBROADCASTSD 8(AX), Z21  // b1
	VBROADCASTSD 16(AX), Z22 // 1−b1
	VBROADCASTSD 24(AX), Z23 // b2
	VBROADCASTSD 32(AX), Z24 // 1−b2
	VBROADCASTSD 40(AX), Z25 // bc1
	VBROADCASTSD 48(AX), Z26 // bc2
	VBROADCASTSD 56(AX), Z27 // lr
	VBROADCASTSD 64(AX), Z28 // eps
	VBROADCASTSD 72(AX), Z29 // decay
	VBROADCASTSD 80(AX), Z30 // 1/bc1
	VBROADCASTSD 88(AX), Z31 // 1/bc2
	VPXORQ Z19, Z19, Z19     // +0
	SHRQ $3, CX
	JEQ  done

loop:
	VCVTPS2PD (SI), Z0       // g
	VMULPD Z20, Z0, Z0       // g·scale
	VCVTPS2PD (R8), Z1
	VMULPD Z21, Z1, Z1       // b1·m
	VMULPD Z22, Z0, Z2       // (1−b1)·g
	VADDPD Z2, Z1, Z1        // m
	VCVTPS2PD (R9), Z3
	VMULPD Z23, Z3, Z3       // b2·v
	VMULPD Z24, Z0, Z4       // (1−b2)·g
	VMULPD Z0, Z4, Z4        // ·g
	VADDPD Z4, Z3, Z3        // v
	VCVTPD2PS Z1, Y5
	VMOVUPS Y5, (R8)
	VCVTPD2PS Z3, Y6
	VMOVUPS Y6, (R9)
	// An infinity or NaN in m or v (0x99: either NaN, either infinity):
	// the divisions.
	VFPCLASSPDZ $0x99, Z1, K1
	VFPCLASSPDZ $0x99, Z3, K2
	KORTESTW K1, K2
	JNE  divide
	QUOTIENT(Z1, Z25, Z30, Z8, Z9)   // m/bc1
	QUOTIENT(Z3, Z26, Z31, Z10, Z11) // v/bc2
	VMOVAPD Z8, Z1
	VMOVAPD Z10, Z3
	JMP  update

divide:
	VDIVPD Z25, Z1, Z1       // m/bc1
	VDIVPD Z26, Z3, Z3       // v/bc2

update:
	VMULPD Z1, Z27, Z1       // lr·(m/bc1)
	VSQRTPD Z3, Z3
	VADDPD Z28, Z3, Z3       // sqrt(v/bc2) + eps
	VDIVPD Z3, Z1, Z1
	VCVTPS2PD (DI), Z7
	VMULPD Z29, Z7, Z7       // p·decay
	VSUBPD Z1, Z7, Z7
	VCVTPD2PS Z7, Y7
	VMOVUPS Y7, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNE  loop

done:
	VZEROUPPER
	RET

// func quotients8AVX512(a *float64, n int, b, y float64, q *float64)
//
// q[i] = a[i]/b by QUOTIENT, the kernel's division, for tests; n is a
// multiple of 8.
TEXT ·quotients8AVX512(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSD b+16(FP), Z25
	VBROADCASTSD y+24(FP), Z30
	MOVQ q+32(FP), DI
	VPXORQ Z19, Z19, Z19
	SHRQ $3, CX
	JEQ  qdone

qloop:
	VMOVUPD (SI), Z1
	QUOTIENT(Z1, Z25, Z30, Z8, Z9)
	VMOVUPD Z8, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNE  qloop

qdone:
	VZEROUPPER
	RET
