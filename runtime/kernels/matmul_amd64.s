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

// func micro4x16FMA(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)
//
// C[4×16] += A[4×kc]·B[kc×16] with A(r,p) at a[r·ars + p·acs] and B(p,q) at
// b[p·ldb + q] (strides in elements): a packed panel (ars 1, acs 4; ldb 16)
// or the operands in place. Accumulators Y0..Y7 hold rows 0..3 (two
// registers of 8 columns each), start at zero, and take one fused
// multiply-add per p in increasing p; then they are added to C.
TEXT ·micro4x16FMA(SB), NOSPLIT, $0-64
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R9
	SHLQ $2, R9
	MOVQ acs+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R11
	SHLQ $2, R11
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	LEAQ (R9)(R9*2), R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JEQ store

loop:
	VMOVUPS (DI), Y8
	VMOVUPS 32(DI), Y9
	VBROADCASTSS (SI), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VBROADCASTSS (SI)(R9*1), Y11
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VBROADCASTSS (SI)(R9*2), Y12
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VBROADCASTSS (SI)(R12*1), Y13
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ R10, SI
	ADDQ R11, DI
	DECQ CX
	JNE loop

store:
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DX)
	VADDPS 32(DX), Y1, Y1
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y2, Y2
	VMOVUPS Y2, (DX)
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func micro8x32AVX512(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, nr int, add int)
//
// C[8×nr] += A[8×kc]·B[kc×nr] (C = A·B when add is 0), 0 < nr ≤ 32, with A(r,p) at a[r·ars + p·acs]
// and B(p,q) at b[p·ldb + q] (strides in elements). B is loaded and C loaded
// and stored under masks of nr columns, so nothing past column nr is touched
// (masked-off lanes never fault) and ragged panels need no padded copies.
// Accumulators Z0..Z15 hold rows 0..7 (two registers of 16 columns each;
// for nr ≤ 16 only Z0, Z2, …, Z14), start at zero and take one fused
// multiply-add per p in increasing p; then they are added to C: every
// element is summed in the same order as by micro4x16FMA, so the bits are
// the same.
TEXT ·micro8x32AVX512(SB), NOSPLIT, $0-80
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R9
	SHLQ $2, R9
	MOVQ acs+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R11
	SHLQ $2, R11
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ nr+64(FP), BX
	LEAQ (R9)(R9*2), R12   // 3·ars bytes
	LEAQ (SI)(R9*4), R13   // row 4 of A
	// K1: the columns of the low 16, K2: those of the high 16.
	MOVL $0xFFFF, AX
	CMPQ BX, $16
	JGE  lowfull
	MOVL $1, AX
	MOVQ BX, R14
	SHLXL R14, AX, AX
	SUBL $1, AX
lowfull:
	KMOVW AX, K1
	XORL AX, AX
	CMPQ BX, $16
	JLE  highset
	MOVL $1, AX
	LEAQ -16(BX), R14
	SHLXL R14, AX, AX
	SUBL $1, AX
highset:
	KMOVW AX, K2
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	TESTQ CX, CX
	JEQ  store
	CMPQ BX, $16
	JLE  loop16

loop32:
	PREFETCHT0 (DI)(R11*8)
	PREFETCHT0 64(DI)(R11*8)
	PREFETCHT0 (SI)(R10*8)
	VMOVUPS (DI), Z16
	VMOVUPS.Z 64(DI), K2, Z17
	VBROADCASTSS (SI), Z18
	VBROADCASTSS (SI)(R9*1), Z19
	VBROADCASTSS (SI)(R9*2), Z20
	VBROADCASTSS (SI)(R12*1), Z21
	VBROADCASTSS (R13), Z22
	VBROADCASTSS (R13)(R9*1), Z23
	VBROADCASTSS (R13)(R9*2), Z24
	VBROADCASTSS (R13)(R12*1), Z25
	VFMADD231PS Z16, Z18, Z0
	VFMADD231PS Z17, Z18, Z1
	VFMADD231PS Z16, Z19, Z2
	VFMADD231PS Z17, Z19, Z3
	VFMADD231PS Z16, Z20, Z4
	VFMADD231PS Z17, Z20, Z5
	VFMADD231PS Z16, Z21, Z6
	VFMADD231PS Z17, Z21, Z7
	VFMADD231PS Z16, Z22, Z8
	VFMADD231PS Z17, Z22, Z9
	VFMADD231PS Z16, Z23, Z10
	VFMADD231PS Z17, Z23, Z11
	VFMADD231PS Z16, Z24, Z12
	VFMADD231PS Z17, Z24, Z13
	VFMADD231PS Z16, Z25, Z14
	VFMADD231PS Z17, Z25, Z15
	ADDQ R10, SI
	ADDQ R10, R13
	ADDQ R11, DI
	DECQ CX
	JNE  loop32
	JMP  store

loop16:
	VMOVUPS.Z (DI), K1, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R9*1), Z16, Z2
	VFMADD231PS.BCST (SI)(R9*2), Z16, Z4
	VFMADD231PS.BCST (SI)(R12*1), Z16, Z6
	VFMADD231PS.BCST (R13), Z16, Z8
	VFMADD231PS.BCST (R13)(R9*1), Z16, Z10
	VFMADD231PS.BCST (R13)(R9*2), Z16, Z12
	VFMADD231PS.BCST (R13)(R12*1), Z16, Z14
	ADDQ R10, SI
	ADDQ R10, R13
	ADDQ R11, DI
	DECQ CX
	JNE  loop16

store:
	MOVQ add+72(FP), AX
	TESTQ AX, AX
	JEQ  overwrite
#define STOREROW(lo, hi) \
	VADDPS.Z (DX), lo, K1, lo; \
	VMOVUPS lo, K1, (DX); \
	VADDPS.Z 64(DX), hi, K2, hi; \
	VMOVUPS hi, K2, 64(DX); \
	ADDQ R8, DX
	STOREROW(Z0, Z1)
	STOREROW(Z2, Z3)
	STOREROW(Z4, Z5)
	STOREROW(Z6, Z7)
	STOREROW(Z8, Z9)
	STOREROW(Z10, Z11)
	STOREROW(Z12, Z13)
	STOREROW(Z14, Z15)
	VZEROUPPER
	RET

	// The sums started from +0, so none is −0 and storing them gives the
	// bits of adding them to a cleared C.
overwrite:
#define PUTROW(lo, hi) \
	VMOVUPS lo, K1, (DX); \
	VMOVUPS hi, K2, 64(DX); \
	ADDQ R8, DX
	PUTROW(Z0, Z1)
	PUTROW(Z2, Z3)
	PUTROW(Z4, Z5)
	PUTROW(Z6, Z7)
	PUTROW(Z8, Z9)
	PUTROW(Z10, Z11)
	PUTROW(Z12, Z13)
	PUTROW(Z14, Z15)
	VZEROUPPER
	RET

// func transpose8AVX2(src *float32, srs int, dst *float32, drs int, blocks int)
//
// Transposes blocks consecutive 8×8 blocks: block t reads rows 0..7 of src
// (row stride srs elements) at columns 8t..8t+7 and writes them as columns
// 0..7 of dst rows 8t..8t+7 (row stride drs elements). packB uses it to lay
// out a B stored transposed (the rows of the stored matrix are B's
// columns) eight columns at a time.
TEXT ·transpose8AVX2(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ srs+8(FP), R8
	SHLQ $2, R8
	MOVQ dst+16(FP), DI
	MOVQ drs+24(FP), R9
	SHLQ $2, R9
	MOVQ blocks+32(FP), CX
	LEAQ (R8)(R8*2), R10 // 3 rows of src
	LEAQ (R9)(R9*2), R11 // 3 rows of dst
	TESTQ CX, CX
	JEQ  tdone

tloop:
	MOVQ SI, AX
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R8*1), Y1
	VMOVUPS (AX)(R8*2), Y2
	VMOVUPS (AX)(R10*1), Y3
	LEAQ (AX)(R8*4), AX
	VMOVUPS (AX), Y4
	VMOVUPS (AX)(R8*1), Y5
	VMOVUPS (AX)(R8*2), Y6
	VMOVUPS (AX)(R10*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	MOVQ DI, BX
	VMOVUPS Y8, (BX)
	VMOVUPS Y9, (BX)(R9*1)
	VMOVUPS Y10, (BX)(R9*2)
	VMOVUPS Y11, (BX)(R11*1)
	LEAQ (BX)(R9*4), BX
	VMOVUPS Y12, (BX)
	VMOVUPS Y13, (BX)(R9*1)
	VMOVUPS Y14, (BX)(R9*2)
	VMOVUPS Y15, (BX)(R11*1)
	ADDQ $32, SI
	LEAQ (DI)(R9*8), DI
	DECQ CX
	JNE  tloop

tdone:
	VZEROUPPER
	RET

// func micro12x32AVX512(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, nr int, add int)
//
// micro8x32AVX512 on 12 rows: accumulators Z0..Z23 (row r in Z2r, Z2r+1),
// B in Z24, Z25, each A value broadcast once into Z26..Z31 and used by two
// fused multiply-adds. Same order of summation, so the same bits.
TEXT ·micro12x32AVX512(SB), NOSPLIT, $0-80
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R9
	SHLQ $2, R9
	MOVQ acs+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R11
	SHLQ $2, R11
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ nr+64(FP), BX
	LEAQ (R9)(R9*2), R12   // 3·ars bytes
	LEAQ (SI)(R9*4), R13   // row 4 of A
	LEAQ (R13)(R9*4), R15  // row 8 of A
	MOVL $0xFFFF, AX
	CMPQ BX, $16
	JGE  lowfull12
	MOVL $1, AX
	MOVQ BX, R14
	SHLXL R14, AX, AX
	SUBL $1, AX
lowfull12:
	KMOVW AX, K1
	XORL AX, AX
	CMPQ BX, $16
	JLE  highset12
	MOVL $1, AX
	LEAQ -16(BX), R14
	SHLXL R14, AX, AX
	SUBL $1, AX
highset12:
	KMOVW AX, K2
	// The rows of C, wanted at the end: fetched while the sums run.
	MOVQ DX, AX
	MOVQ $12, R14
cpf12:
	PREFETCHT0 (AX)
	PREFETCHT0 64(AX)
	ADDQ R8, AX
	DECQ R14
	JNE  cpf12
	MOVQ R11, R14
	SHLQ $4, R14           // 16 rows of B: the prefetch distance
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	TESTQ CX, CX
	JEQ  store12

loop12:
	PREFETCHT0 (DI)(R14*1)
	PREFETCHT0 64(DI)(R14*1)
	PREFETCHT0 (SI)(R10*8)
	PREFETCHT0 12(R15)(R10*8)
	VMOVUPS.Z (DI), K1, Z24
	VMOVUPS.Z 64(DI), K2, Z25
	VBROADCASTSS (SI), Z26
	VBROADCASTSS (SI)(R9*1), Z27
	VBROADCASTSS (SI)(R9*2), Z28
	VBROADCASTSS (SI)(R12*1), Z29
	VFMADD231PS Z24, Z26, Z0
	VFMADD231PS Z25, Z26, Z1
	VFMADD231PS Z24, Z27, Z2
	VFMADD231PS Z25, Z27, Z3
	VFMADD231PS Z24, Z28, Z4
	VFMADD231PS Z25, Z28, Z5
	VFMADD231PS Z24, Z29, Z6
	VFMADD231PS Z25, Z29, Z7
	VBROADCASTSS (R13), Z30
	VBROADCASTSS (R13)(R9*1), Z31
	VBROADCASTSS (R13)(R9*2), Z26
	VBROADCASTSS (R13)(R12*1), Z27
	VFMADD231PS Z24, Z30, Z8
	VFMADD231PS Z25, Z30, Z9
	VFMADD231PS Z24, Z31, Z10
	VFMADD231PS Z25, Z31, Z11
	VFMADD231PS Z24, Z26, Z12
	VFMADD231PS Z25, Z26, Z13
	VFMADD231PS Z24, Z27, Z14
	VFMADD231PS Z25, Z27, Z15
	VBROADCASTSS (R15), Z28
	VBROADCASTSS (R15)(R9*1), Z29
	VBROADCASTSS (R15)(R9*2), Z30
	VBROADCASTSS (R15)(R12*1), Z31
	VFMADD231PS Z24, Z28, Z16
	VFMADD231PS Z25, Z28, Z17
	VFMADD231PS Z24, Z29, Z18
	VFMADD231PS Z25, Z29, Z19
	VFMADD231PS Z24, Z30, Z20
	VFMADD231PS Z25, Z30, Z21
	VFMADD231PS Z24, Z31, Z22
	VFMADD231PS Z25, Z31, Z23
	ADDQ R10, SI
	ADDQ R10, R13
	ADDQ R10, R15
	ADDQ R11, DI
	DECQ CX
	JNE  loop12

store12:
	MOVQ add+72(FP), AX
	TESTQ AX, AX
	JEQ  overwrite12
	STOREROW(Z0, Z1)
	STOREROW(Z2, Z3)
	STOREROW(Z4, Z5)
	STOREROW(Z6, Z7)
	STOREROW(Z8, Z9)
	STOREROW(Z10, Z11)
	STOREROW(Z12, Z13)
	STOREROW(Z14, Z15)
	STOREROW(Z16, Z17)
	STOREROW(Z18, Z19)
	STOREROW(Z20, Z21)
	STOREROW(Z22, Z23)
	VZEROUPPER
	RET

overwrite12:
	PUTROW(Z0, Z1)
	PUTROW(Z2, Z3)
	PUTROW(Z4, Z5)
	PUTROW(Z6, Z7)
	PUTROW(Z8, Z9)
	PUTROW(Z10, Z11)
	PUTROW(Z12, Z13)
	PUTROW(Z14, Z15)
	PUTROW(Z16, Z17)
	PUTROW(Z18, Z19)
	PUTROW(Z20, Z21)
	PUTROW(Z22, Z23)
	VZEROUPPER
	RET
