source_filename = "golden"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

define void @matmul_nn_m12_k16_n24_bias(float* nocapture %a, float* nocapture %b, float* nocapture %bias, float* nocapture %c, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, 12
	%1 = select i1 %0, i64 %hi, i64 12
	br label %loop1

loop1:
	%2 = phi i64 [ %lo, %entry ], [ %12, %exit6 ]
	%3 = icmp slt i64 %2, %1
	br i1 %3, label %body2, label %exit3

body2:
	br label %loop4

exit3:
	br label %loop7

loop4:
	%4 = phi i64 [ 0, %body2 ], [ %11, %body5 ]
	%5 = icmp slt i64 %4, 24
	br i1 %5, label %body5, label %exit6

body5:
	%6 = mul i64 %2, 24
	%7 = add i64 %6, %4
	%8 = getelementptr inbounds float, float* %bias, i64 %4
	%9 = load float, float* %8, align 4
	%10 = getelementptr inbounds float, float* %c, i64 %7
	store float %9, float* %10, align 4
	%11 = add i64 %4, 1
	br label %loop4

exit6:
	%12 = add i64 %2, 1
	br label %loop1

loop7:
	%13 = phi i64 [ 0, %exit3 ], [ %36, %exit12 ]
	%14 = icmp slt i64 %13, 24
	br i1 %14, label %body8, label %exit9

body8:
	%15 = sub i64 24, %13
	%16 = icmp slt i64 24, %15
	%17 = select i1 %16, i64 24, i64 %15
	br label %loop10

exit9:
	ret void

loop10:
	%18 = phi i64 [ 0, %body8 ], [ %96, %exit31 ]
	%19 = icmp slt i64 %18, 16
	br i1 %19, label %body11, label %exit12

body11:
	%20 = sub i64 16, %18
	%21 = icmp slt i64 256, %20
	%22 = select i1 %21, i64 256, i64 %20
	%23 = icmp sgt i64 %18, 0
	%24 = sdiv i64 %17, 16
	%25 = mul i64 %24, 16
	%26 = sdiv i64 %17, 16
	%27 = mul i64 %26, 16
	%28 = sub i64 %17, %27
	%29 = icmp sge i64 %28, 8
	%30 = select i1 %29, i64 8, i64 0
	%31 = add i64 %27, %30
	%32 = sub i64 %1, %lo
	%33 = sdiv i64 %32, 6
	%34 = mul i64 %33, 6
	%35 = add i64 %lo, %34
	br label %loop13

exit12:
	%36 = add i64 %13, 24
	br label %loop7

loop13:
	%37 = phi i64 [ %lo, %body11 ], [ %65, %join20 ]
	%38 = icmp slt i64 %37, %35
	br i1 %38, label %body14, label %exit15

body14:
	br label %loop16

exit15:
	%39 = sub i64 %1, %35
	br label %loop21

loop16:
	%40 = phi i64 [ 0, %body14 ], [ %53, %body17 ]
	%41 = icmp slt i64 %40, %27
	br i1 %41, label %body17, label %exit18

body17:
	%42 = mul i64 %37, 16
	%43 = add i64 %42, %18
	%44 = getelementptr inbounds float, float* %a, i64 %43
	%45 = mul i64 %18, 24
	%46 = add i64 %13, %40
	%47 = add i64 %45, %46
	%48 = getelementptr inbounds float, float* %b, i64 %47
	%49 = mul i64 %37, 24
	%50 = add i64 %13, %40
	%51 = add i64 %49, %50
	%52 = getelementptr inbounds float, float* %c, i64 %51
	call void @planc_mk_6x16_rs16_cs1_ldb24_ldc24(float* %44, float* %48, float* %52, i64 %22, i1 true)
	%53 = add i64 %40, 16
	br label %loop16

exit18:
	br i1 %29, label %then19, label %join20

then19:
	%54 = mul i64 %37, 16
	%55 = add i64 %54, %18
	%56 = getelementptr inbounds float, float* %a, i64 %55
	%57 = mul i64 %18, 24
	%58 = add i64 %13, %27
	%59 = add i64 %57, %58
	%60 = getelementptr inbounds float, float* %b, i64 %59
	%61 = mul i64 %37, 24
	%62 = add i64 %13, %27
	%63 = add i64 %61, %62
	%64 = getelementptr inbounds float, float* %c, i64 %63
	call void @planc_mk_6x8_rs16_cs1_ldb24_ldc24(float* %56, float* %60, float* %64, i64 %22, i1 true)
	br label %join20

join20:
	%65 = add i64 %37, 6
	br label %loop13

loop21:
	%66 = phi i64 [ %35, %exit15 ], [ %93, %join28 ]
	%67 = icmp slt i64 %66, %1
	br i1 %67, label %body22, label %exit23

body22:
	br label %loop24

exit23:
	br label %loop29

loop24:
	%68 = phi i64 [ 0, %body22 ], [ %81, %body25 ]
	%69 = icmp slt i64 %68, %27
	br i1 %69, label %body25, label %exit26

body25:
	%70 = mul i64 %66, 16
	%71 = add i64 %70, %18
	%72 = getelementptr inbounds float, float* %a, i64 %71
	%73 = mul i64 %18, 24
	%74 = add i64 %13, %68
	%75 = add i64 %73, %74
	%76 = getelementptr inbounds float, float* %b, i64 %75
	%77 = mul i64 %66, 24
	%78 = add i64 %13, %68
	%79 = add i64 %77, %78
	%80 = getelementptr inbounds float, float* %c, i64 %79
	call void @planc_mk_1x16_rs16_cs1_ldb24_ldc24(float* %72, float* %76, float* %80, i64 %22, i1 true)
	%81 = add i64 %68, 16
	br label %loop24

exit26:
	br i1 %29, label %then27, label %join28

then27:
	%82 = mul i64 %66, 16
	%83 = add i64 %82, %18
	%84 = getelementptr inbounds float, float* %a, i64 %83
	%85 = mul i64 %18, 24
	%86 = add i64 %13, %27
	%87 = add i64 %85, %86
	%88 = getelementptr inbounds float, float* %b, i64 %87
	%89 = mul i64 %66, 24
	%90 = add i64 %13, %27
	%91 = add i64 %89, %90
	%92 = getelementptr inbounds float, float* %c, i64 %91
	call void @planc_mk_1x8_rs16_cs1_ldb24_ldc24(float* %84, float* %88, float* %92, i64 %22, i1 true)
	br label %join28

join28:
	%93 = add i64 %66, 1
	br label %loop21

loop29:
	%94 = phi i64 [ %lo, %exit23 ], [ %105, %exit34 ]
	%95 = icmp slt i64 %94, %1
	br i1 %95, label %body30, label %exit31

body30:
	br label %loop32

exit31:
	%96 = add i64 %18, 256
	br label %loop10

loop32:
	%97 = phi i64 [ %31, %body30 ], [ %123, %exit37 ]
	%98 = icmp slt i64 %97, %17
	br i1 %98, label %body33, label %exit34

body33:
	%99 = mul i64 %94, 24
	%100 = add i64 %13, %97
	%101 = add i64 %99, %100
	%102 = getelementptr inbounds float, float* %c, i64 %101
	%103 = load float, float* %102, align 4
	%104 = select i1 true, float %103, float 0.0
	br label %loop35

exit34:
	%105 = add i64 %94, 1
	br label %loop29

loop35:
	%106 = phi i64 [ 0, %body33 ], [ %121, %body36 ]
	%107 = phi float [ %104, %body33 ], [ %120, %body36 ]
	%108 = icmp slt i64 %106, %22
	br i1 %108, label %body36, label %exit37

body36:
	%109 = add i64 %18, %106
	%110 = mul i64 %94, 16
	%111 = add i64 %110, %109
	%112 = getelementptr inbounds float, float* %a, i64 %111
	%113 = load float, float* %112, align 4
	%114 = add i64 %18, %106
	%115 = add i64 %13, %97
	%116 = mul i64 %114, 24
	%117 = add i64 %116, %115
	%118 = getelementptr inbounds float, float* %b, i64 %117
	%119 = load float, float* %118, align 4
	%120 = call float @llvm.fma.f32(float %113, float %119, float %107)
	%121 = add i64 %106, 1
	br label %loop35

exit37:
	%122 = getelementptr inbounds float, float* %c, i64 %101
	store float %107, float* %122, align 4
	%123 = add i64 %97, 1
	br label %loop32
}

define internal void @planc_mk_6x16_rs16_cs1_ldb24_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = getelementptr inbounds float, float* %c, i64 8
	%4 = bitcast float* %3 to <8 x float>*
	%5 = load <8 x float>, <8 x float>* %4, align 4
	%6 = select i1 %loadc, <8 x float> %5, <8 x float> zeroinitializer
	%7 = getelementptr inbounds float, float* %c, i64 24
	%8 = bitcast float* %7 to <8 x float>*
	%9 = load <8 x float>, <8 x float>* %8, align 4
	%10 = select i1 %loadc, <8 x float> %9, <8 x float> zeroinitializer
	%11 = getelementptr inbounds float, float* %c, i64 32
	%12 = bitcast float* %11 to <8 x float>*
	%13 = load <8 x float>, <8 x float>* %12, align 4
	%14 = select i1 %loadc, <8 x float> %13, <8 x float> zeroinitializer
	%15 = getelementptr inbounds float, float* %c, i64 48
	%16 = bitcast float* %15 to <8 x float>*
	%17 = load <8 x float>, <8 x float>* %16, align 4
	%18 = select i1 %loadc, <8 x float> %17, <8 x float> zeroinitializer
	%19 = getelementptr inbounds float, float* %c, i64 56
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = select i1 %loadc, <8 x float> %21, <8 x float> zeroinitializer
	%23 = getelementptr inbounds float, float* %c, i64 72
	%24 = bitcast float* %23 to <8 x float>*
	%25 = load <8 x float>, <8 x float>* %24, align 4
	%26 = select i1 %loadc, <8 x float> %25, <8 x float> zeroinitializer
	%27 = getelementptr inbounds float, float* %c, i64 80
	%28 = bitcast float* %27 to <8 x float>*
	%29 = load <8 x float>, <8 x float>* %28, align 4
	%30 = select i1 %loadc, <8 x float> %29, <8 x float> zeroinitializer
	%31 = getelementptr inbounds float, float* %c, i64 96
	%32 = bitcast float* %31 to <8 x float>*
	%33 = load <8 x float>, <8 x float>* %32, align 4
	%34 = select i1 %loadc, <8 x float> %33, <8 x float> zeroinitializer
	%35 = getelementptr inbounds float, float* %c, i64 104
	%36 = bitcast float* %35 to <8 x float>*
	%37 = load <8 x float>, <8 x float>* %36, align 4
	%38 = select i1 %loadc, <8 x float> %37, <8 x float> zeroinitializer
	%39 = getelementptr inbounds float, float* %c, i64 120
	%40 = bitcast float* %39 to <8 x float>*
	%41 = load <8 x float>, <8 x float>* %40, align 4
	%42 = select i1 %loadc, <8 x float> %41, <8 x float> zeroinitializer
	%43 = getelementptr inbounds float, float* %c, i64 128
	%44 = bitcast float* %43 to <8 x float>*
	%45 = load <8 x float>, <8 x float>* %44, align 4
	%46 = select i1 %loadc, <8 x float> %45, <8 x float> zeroinitializer
	%47 = sdiv i64 %kc, 4
	%48 = mul i64 %47, 4
	br label %loop1

loop1:
	%49 = phi i64 [ 0, %entry ], [ %266, %body2 ]
	%50 = phi <8 x float> [ %2, %entry ], [ %229, %body2 ]
	%51 = phi <8 x float> [ %6, %entry ], [ %230, %body2 ]
	%52 = phi <8 x float> [ %10, %entry ], [ %236, %body2 ]
	%53 = phi <8 x float> [ %14, %entry ], [ %237, %body2 ]
	%54 = phi <8 x float> [ %18, %entry ], [ %243, %body2 ]
	%55 = phi <8 x float> [ %22, %entry ], [ %244, %body2 ]
	%56 = phi <8 x float> [ %26, %entry ], [ %250, %body2 ]
	%57 = phi <8 x float> [ %30, %entry ], [ %251, %body2 ]
	%58 = phi <8 x float> [ %34, %entry ], [ %257, %body2 ]
	%59 = phi <8 x float> [ %38, %entry ], [ %258, %body2 ]
	%60 = phi <8 x float> [ %42, %entry ], [ %264, %body2 ]
	%61 = phi <8 x float> [ %46, %entry ], [ %265, %body2 ]
	%62 = icmp slt i64 %49, %48
	br i1 %62, label %body2, label %exit3

body2:
	%63 = mul i64 %49, 24
	%64 = getelementptr inbounds float, float* %b, i64 %63
	%65 = bitcast float* %64 to <8 x float>*
	%66 = load <8 x float>, <8 x float>* %65, align 4
	%67 = mul i64 %49, 24
	%68 = add i64 %67, 8
	%69 = getelementptr inbounds float, float* %b, i64 %68
	%70 = bitcast float* %69 to <8 x float>*
	%71 = load <8 x float>, <8 x float>* %70, align 4
	%72 = getelementptr inbounds float, float* %a, i64 %49
	%73 = load float, float* %72, align 4
	%74 = insertelement <8 x float> undef, float %73, i32 0
	%75 = shufflevector <8 x float> %74, <8 x float> undef, <8 x i32> zeroinitializer
	%76 = call <8 x float> @llvm.fma.v8f32(<8 x float> %75, <8 x float> %66, <8 x float> %50)
	%77 = call <8 x float> @llvm.fma.v8f32(<8 x float> %75, <8 x float> %71, <8 x float> %51)
	%78 = add i64 %49, 16
	%79 = getelementptr inbounds float, float* %a, i64 %78
	%80 = load float, float* %79, align 4
	%81 = insertelement <8 x float> undef, float %80, i32 0
	%82 = shufflevector <8 x float> %81, <8 x float> undef, <8 x i32> zeroinitializer
	%83 = call <8 x float> @llvm.fma.v8f32(<8 x float> %82, <8 x float> %66, <8 x float> %52)
	%84 = call <8 x float> @llvm.fma.v8f32(<8 x float> %82, <8 x float> %71, <8 x float> %53)
	%85 = add i64 %49, 32
	%86 = getelementptr inbounds float, float* %a, i64 %85
	%87 = load float, float* %86, align 4
	%88 = insertelement <8 x float> undef, float %87, i32 0
	%89 = shufflevector <8 x float> %88, <8 x float> undef, <8 x i32> zeroinitializer
	%90 = call <8 x float> @llvm.fma.v8f32(<8 x float> %89, <8 x float> %66, <8 x float> %54)
	%91 = call <8 x float> @llvm.fma.v8f32(<8 x float> %89, <8 x float> %71, <8 x float> %55)
	%92 = add i64 %49, 48
	%93 = getelementptr inbounds float, float* %a, i64 %92
	%94 = load float, float* %93, align 4
	%95 = insertelement <8 x float> undef, float %94, i32 0
	%96 = shufflevector <8 x float> %95, <8 x float> undef, <8 x i32> zeroinitializer
	%97 = call <8 x float> @llvm.fma.v8f32(<8 x float> %96, <8 x float> %66, <8 x float> %56)
	%98 = call <8 x float> @llvm.fma.v8f32(<8 x float> %96, <8 x float> %71, <8 x float> %57)
	%99 = add i64 %49, 64
	%100 = getelementptr inbounds float, float* %a, i64 %99
	%101 = load float, float* %100, align 4
	%102 = insertelement <8 x float> undef, float %101, i32 0
	%103 = shufflevector <8 x float> %102, <8 x float> undef, <8 x i32> zeroinitializer
	%104 = call <8 x float> @llvm.fma.v8f32(<8 x float> %103, <8 x float> %66, <8 x float> %58)
	%105 = call <8 x float> @llvm.fma.v8f32(<8 x float> %103, <8 x float> %71, <8 x float> %59)
	%106 = add i64 %49, 80
	%107 = getelementptr inbounds float, float* %a, i64 %106
	%108 = load float, float* %107, align 4
	%109 = insertelement <8 x float> undef, float %108, i32 0
	%110 = shufflevector <8 x float> %109, <8 x float> undef, <8 x i32> zeroinitializer
	%111 = call <8 x float> @llvm.fma.v8f32(<8 x float> %110, <8 x float> %66, <8 x float> %60)
	%112 = call <8 x float> @llvm.fma.v8f32(<8 x float> %110, <8 x float> %71, <8 x float> %61)
	%113 = add i64 %49, 1
	%114 = mul i64 %113, 24
	%115 = getelementptr inbounds float, float* %b, i64 %114
	%116 = bitcast float* %115 to <8 x float>*
	%117 = load <8 x float>, <8 x float>* %116, align 4
	%118 = mul i64 %113, 24
	%119 = add i64 %118, 8
	%120 = getelementptr inbounds float, float* %b, i64 %119
	%121 = bitcast float* %120 to <8 x float>*
	%122 = load <8 x float>, <8 x float>* %121, align 4
	%123 = getelementptr inbounds float, float* %a, i64 %113
	%124 = load float, float* %123, align 4
	%125 = insertelement <8 x float> undef, float %124, i32 0
	%126 = shufflevector <8 x float> %125, <8 x float> undef, <8 x i32> zeroinitializer
	%127 = call <8 x float> @llvm.fma.v8f32(<8 x float> %126, <8 x float> %117, <8 x float> %76)
	%128 = call <8 x float> @llvm.fma.v8f32(<8 x float> %126, <8 x float> %122, <8 x float> %77)
	%129 = add i64 %113, 16
	%130 = getelementptr inbounds float, float* %a, i64 %129
	%131 = load float, float* %130, align 4
	%132 = insertelement <8 x float> undef, float %131, i32 0
	%133 = shufflevector <8 x float> %132, <8 x float> undef, <8 x i32> zeroinitializer
	%134 = call <8 x float> @llvm.fma.v8f32(<8 x float> %133, <8 x float> %117, <8 x float> %83)
	%135 = call <8 x float> @llvm.fma.v8f32(<8 x float> %133, <8 x float> %122, <8 x float> %84)
	%136 = add i64 %113, 32
	%137 = getelementptr inbounds float, float* %a, i64 %136
	%138 = load float, float* %137, align 4
	%139 = insertelement <8 x float> undef, float %138, i32 0
	%140 = shufflevector <8 x float> %139, <8 x float> undef, <8 x i32> zeroinitializer
	%141 = call <8 x float> @llvm.fma.v8f32(<8 x float> %140, <8 x float> %117, <8 x float> %90)
	%142 = call <8 x float> @llvm.fma.v8f32(<8 x float> %140, <8 x float> %122, <8 x float> %91)
	%143 = add i64 %113, 48
	%144 = getelementptr inbounds float, float* %a, i64 %143
	%145 = load float, float* %144, align 4
	%146 = insertelement <8 x float> undef, float %145, i32 0
	%147 = shufflevector <8 x float> %146, <8 x float> undef, <8 x i32> zeroinitializer
	%148 = call <8 x float> @llvm.fma.v8f32(<8 x float> %147, <8 x float> %117, <8 x float> %97)
	%149 = call <8 x float> @llvm.fma.v8f32(<8 x float> %147, <8 x float> %122, <8 x float> %98)
	%150 = add i64 %113, 64
	%151 = getelementptr inbounds float, float* %a, i64 %150
	%152 = load float, float* %151, align 4
	%153 = insertelement <8 x float> undef, float %152, i32 0
	%154 = shufflevector <8 x float> %153, <8 x float> undef, <8 x i32> zeroinitializer
	%155 = call <8 x float> @llvm.fma.v8f32(<8 x float> %154, <8 x float> %117, <8 x float> %104)
	%156 = call <8 x float> @llvm.fma.v8f32(<8 x float> %154, <8 x float> %122, <8 x float> %105)
	%157 = add i64 %113, 80
	%158 = getelementptr inbounds float, float* %a, i64 %157
	%159 = load float, float* %158, align 4
	%160 = insertelement <8 x float> undef, float %159, i32 0
	%161 = shufflevector <8 x float> %160, <8 x float> undef, <8 x i32> zeroinitializer
	%162 = call <8 x float> @llvm.fma.v8f32(<8 x float> %161, <8 x float> %117, <8 x float> %111)
	%163 = call <8 x float> @llvm.fma.v8f32(<8 x float> %161, <8 x float> %122, <8 x float> %112)
	%164 = add i64 %49, 2
	%165 = mul i64 %164, 24
	%166 = getelementptr inbounds float, float* %b, i64 %165
	%167 = bitcast float* %166 to <8 x float>*
	%168 = load <8 x float>, <8 x float>* %167, align 4
	%169 = mul i64 %164, 24
	%170 = add i64 %169, 8
	%171 = getelementptr inbounds float, float* %b, i64 %170
	%172 = bitcast float* %171 to <8 x float>*
	%173 = load <8 x float>, <8 x float>* %172, align 4
	%174 = getelementptr inbounds float, float* %a, i64 %164
	%175 = load float, float* %174, align 4
	%176 = insertelement <8 x float> undef, float %175, i32 0
	%177 = shufflevector <8 x float> %176, <8 x float> undef, <8 x i32> zeroinitializer
	%178 = call <8 x float> @llvm.fma.v8f32(<8 x float> %177, <8 x float> %168, <8 x float> %127)
	%179 = call <8 x float> @llvm.fma.v8f32(<8 x float> %177, <8 x float> %173, <8 x float> %128)
	%180 = add i64 %164, 16
	%181 = getelementptr inbounds float, float* %a, i64 %180
	%182 = load float, float* %181, align 4
	%183 = insertelement <8 x float> undef, float %182, i32 0
	%184 = shufflevector <8 x float> %183, <8 x float> undef, <8 x i32> zeroinitializer
	%185 = call <8 x float> @llvm.fma.v8f32(<8 x float> %184, <8 x float> %168, <8 x float> %134)
	%186 = call <8 x float> @llvm.fma.v8f32(<8 x float> %184, <8 x float> %173, <8 x float> %135)
	%187 = add i64 %164, 32
	%188 = getelementptr inbounds float, float* %a, i64 %187
	%189 = load float, float* %188, align 4
	%190 = insertelement <8 x float> undef, float %189, i32 0
	%191 = shufflevector <8 x float> %190, <8 x float> undef, <8 x i32> zeroinitializer
	%192 = call <8 x float> @llvm.fma.v8f32(<8 x float> %191, <8 x float> %168, <8 x float> %141)
	%193 = call <8 x float> @llvm.fma.v8f32(<8 x float> %191, <8 x float> %173, <8 x float> %142)
	%194 = add i64 %164, 48
	%195 = getelementptr inbounds float, float* %a, i64 %194
	%196 = load float, float* %195, align 4
	%197 = insertelement <8 x float> undef, float %196, i32 0
	%198 = shufflevector <8 x float> %197, <8 x float> undef, <8 x i32> zeroinitializer
	%199 = call <8 x float> @llvm.fma.v8f32(<8 x float> %198, <8 x float> %168, <8 x float> %148)
	%200 = call <8 x float> @llvm.fma.v8f32(<8 x float> %198, <8 x float> %173, <8 x float> %149)
	%201 = add i64 %164, 64
	%202 = getelementptr inbounds float, float* %a, i64 %201
	%203 = load float, float* %202, align 4
	%204 = insertelement <8 x float> undef, float %203, i32 0
	%205 = shufflevector <8 x float> %204, <8 x float> undef, <8 x i32> zeroinitializer
	%206 = call <8 x float> @llvm.fma.v8f32(<8 x float> %205, <8 x float> %168, <8 x float> %155)
	%207 = call <8 x float> @llvm.fma.v8f32(<8 x float> %205, <8 x float> %173, <8 x float> %156)
	%208 = add i64 %164, 80
	%209 = getelementptr inbounds float, float* %a, i64 %208
	%210 = load float, float* %209, align 4
	%211 = insertelement <8 x float> undef, float %210, i32 0
	%212 = shufflevector <8 x float> %211, <8 x float> undef, <8 x i32> zeroinitializer
	%213 = call <8 x float> @llvm.fma.v8f32(<8 x float> %212, <8 x float> %168, <8 x float> %162)
	%214 = call <8 x float> @llvm.fma.v8f32(<8 x float> %212, <8 x float> %173, <8 x float> %163)
	%215 = add i64 %49, 3
	%216 = mul i64 %215, 24
	%217 = getelementptr inbounds float, float* %b, i64 %216
	%218 = bitcast float* %217 to <8 x float>*
	%219 = load <8 x float>, <8 x float>* %218, align 4
	%220 = mul i64 %215, 24
	%221 = add i64 %220, 8
	%222 = getelementptr inbounds float, float* %b, i64 %221
	%223 = bitcast float* %222 to <8 x float>*
	%224 = load <8 x float>, <8 x float>* %223, align 4
	%225 = getelementptr inbounds float, float* %a, i64 %215
	%226 = load float, float* %225, align 4
	%227 = insertelement <8 x float> undef, float %226, i32 0
	%228 = shufflevector <8 x float> %227, <8 x float> undef, <8 x i32> zeroinitializer
	%229 = call <8 x float> @llvm.fma.v8f32(<8 x float> %228, <8 x float> %219, <8 x float> %178)
	%230 = call <8 x float> @llvm.fma.v8f32(<8 x float> %228, <8 x float> %224, <8 x float> %179)
	%231 = add i64 %215, 16
	%232 = getelementptr inbounds float, float* %a, i64 %231
	%233 = load float, float* %232, align 4
	%234 = insertelement <8 x float> undef, float %233, i32 0
	%235 = shufflevector <8 x float> %234, <8 x float> undef, <8 x i32> zeroinitializer
	%236 = call <8 x float> @llvm.fma.v8f32(<8 x float> %235, <8 x float> %219, <8 x float> %185)
	%237 = call <8 x float> @llvm.fma.v8f32(<8 x float> %235, <8 x float> %224, <8 x float> %186)
	%238 = add i64 %215, 32
	%239 = getelementptr inbounds float, float* %a, i64 %238
	%240 = load float, float* %239, align 4
	%241 = insertelement <8 x float> undef, float %240, i32 0
	%242 = shufflevector <8 x float> %241, <8 x float> undef, <8 x i32> zeroinitializer
	%243 = call <8 x float> @llvm.fma.v8f32(<8 x float> %242, <8 x float> %219, <8 x float> %192)
	%244 = call <8 x float> @llvm.fma.v8f32(<8 x float> %242, <8 x float> %224, <8 x float> %193)
	%245 = add i64 %215, 48
	%246 = getelementptr inbounds float, float* %a, i64 %245
	%247 = load float, float* %246, align 4
	%248 = insertelement <8 x float> undef, float %247, i32 0
	%249 = shufflevector <8 x float> %248, <8 x float> undef, <8 x i32> zeroinitializer
	%250 = call <8 x float> @llvm.fma.v8f32(<8 x float> %249, <8 x float> %219, <8 x float> %199)
	%251 = call <8 x float> @llvm.fma.v8f32(<8 x float> %249, <8 x float> %224, <8 x float> %200)
	%252 = add i64 %215, 64
	%253 = getelementptr inbounds float, float* %a, i64 %252
	%254 = load float, float* %253, align 4
	%255 = insertelement <8 x float> undef, float %254, i32 0
	%256 = shufflevector <8 x float> %255, <8 x float> undef, <8 x i32> zeroinitializer
	%257 = call <8 x float> @llvm.fma.v8f32(<8 x float> %256, <8 x float> %219, <8 x float> %206)
	%258 = call <8 x float> @llvm.fma.v8f32(<8 x float> %256, <8 x float> %224, <8 x float> %207)
	%259 = add i64 %215, 80
	%260 = getelementptr inbounds float, float* %a, i64 %259
	%261 = load float, float* %260, align 4
	%262 = insertelement <8 x float> undef, float %261, i32 0
	%263 = shufflevector <8 x float> %262, <8 x float> undef, <8 x i32> zeroinitializer
	%264 = call <8 x float> @llvm.fma.v8f32(<8 x float> %263, <8 x float> %219, <8 x float> %213)
	%265 = call <8 x float> @llvm.fma.v8f32(<8 x float> %263, <8 x float> %224, <8 x float> %214)
	%266 = add i64 %49, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%267 = phi i64 [ %48, %exit3 ], [ %331, %body5 ]
	%268 = phi <8 x float> [ %50, %exit3 ], [ %294, %body5 ]
	%269 = phi <8 x float> [ %51, %exit3 ], [ %295, %body5 ]
	%270 = phi <8 x float> [ %52, %exit3 ], [ %301, %body5 ]
	%271 = phi <8 x float> [ %53, %exit3 ], [ %302, %body5 ]
	%272 = phi <8 x float> [ %54, %exit3 ], [ %308, %body5 ]
	%273 = phi <8 x float> [ %55, %exit3 ], [ %309, %body5 ]
	%274 = phi <8 x float> [ %56, %exit3 ], [ %315, %body5 ]
	%275 = phi <8 x float> [ %57, %exit3 ], [ %316, %body5 ]
	%276 = phi <8 x float> [ %58, %exit3 ], [ %322, %body5 ]
	%277 = phi <8 x float> [ %59, %exit3 ], [ %323, %body5 ]
	%278 = phi <8 x float> [ %60, %exit3 ], [ %329, %body5 ]
	%279 = phi <8 x float> [ %61, %exit3 ], [ %330, %body5 ]
	%280 = icmp slt i64 %267, %kc
	br i1 %280, label %body5, label %exit6

body5:
	%281 = mul i64 %267, 24
	%282 = getelementptr inbounds float, float* %b, i64 %281
	%283 = bitcast float* %282 to <8 x float>*
	%284 = load <8 x float>, <8 x float>* %283, align 4
	%285 = mul i64 %267, 24
	%286 = add i64 %285, 8
	%287 = getelementptr inbounds float, float* %b, i64 %286
	%288 = bitcast float* %287 to <8 x float>*
	%289 = load <8 x float>, <8 x float>* %288, align 4
	%290 = getelementptr inbounds float, float* %a, i64 %267
	%291 = load float, float* %290, align 4
	%292 = insertelement <8 x float> undef, float %291, i32 0
	%293 = shufflevector <8 x float> %292, <8 x float> undef, <8 x i32> zeroinitializer
	%294 = call <8 x float> @llvm.fma.v8f32(<8 x float> %293, <8 x float> %284, <8 x float> %268)
	%295 = call <8 x float> @llvm.fma.v8f32(<8 x float> %293, <8 x float> %289, <8 x float> %269)
	%296 = add i64 %267, 16
	%297 = getelementptr inbounds float, float* %a, i64 %296
	%298 = load float, float* %297, align 4
	%299 = insertelement <8 x float> undef, float %298, i32 0
	%300 = shufflevector <8 x float> %299, <8 x float> undef, <8 x i32> zeroinitializer
	%301 = call <8 x float> @llvm.fma.v8f32(<8 x float> %300, <8 x float> %284, <8 x float> %270)
	%302 = call <8 x float> @llvm.fma.v8f32(<8 x float> %300, <8 x float> %289, <8 x float> %271)
	%303 = add i64 %267, 32
	%304 = getelementptr inbounds float, float* %a, i64 %303
	%305 = load float, float* %304, align 4
	%306 = insertelement <8 x float> undef, float %305, i32 0
	%307 = shufflevector <8 x float> %306, <8 x float> undef, <8 x i32> zeroinitializer
	%308 = call <8 x float> @llvm.fma.v8f32(<8 x float> %307, <8 x float> %284, <8 x float> %272)
	%309 = call <8 x float> @llvm.fma.v8f32(<8 x float> %307, <8 x float> %289, <8 x float> %273)
	%310 = add i64 %267, 48
	%311 = getelementptr inbounds float, float* %a, i64 %310
	%312 = load float, float* %311, align 4
	%313 = insertelement <8 x float> undef, float %312, i32 0
	%314 = shufflevector <8 x float> %313, <8 x float> undef, <8 x i32> zeroinitializer
	%315 = call <8 x float> @llvm.fma.v8f32(<8 x float> %314, <8 x float> %284, <8 x float> %274)
	%316 = call <8 x float> @llvm.fma.v8f32(<8 x float> %314, <8 x float> %289, <8 x float> %275)
	%317 = add i64 %267, 64
	%318 = getelementptr inbounds float, float* %a, i64 %317
	%319 = load float, float* %318, align 4
	%320 = insertelement <8 x float> undef, float %319, i32 0
	%321 = shufflevector <8 x float> %320, <8 x float> undef, <8 x i32> zeroinitializer
	%322 = call <8 x float> @llvm.fma.v8f32(<8 x float> %321, <8 x float> %284, <8 x float> %276)
	%323 = call <8 x float> @llvm.fma.v8f32(<8 x float> %321, <8 x float> %289, <8 x float> %277)
	%324 = add i64 %267, 80
	%325 = getelementptr inbounds float, float* %a, i64 %324
	%326 = load float, float* %325, align 4
	%327 = insertelement <8 x float> undef, float %326, i32 0
	%328 = shufflevector <8 x float> %327, <8 x float> undef, <8 x i32> zeroinitializer
	%329 = call <8 x float> @llvm.fma.v8f32(<8 x float> %328, <8 x float> %284, <8 x float> %278)
	%330 = call <8 x float> @llvm.fma.v8f32(<8 x float> %328, <8 x float> %289, <8 x float> %279)
	%331 = add i64 %267, 1
	br label %loop4

exit6:
	%332 = bitcast float* %c to <8 x float>*
	store <8 x float> %268, <8 x float>* %332, align 4
	%333 = getelementptr inbounds float, float* %c, i64 8
	%334 = bitcast float* %333 to <8 x float>*
	store <8 x float> %269, <8 x float>* %334, align 4
	%335 = getelementptr inbounds float, float* %c, i64 24
	%336 = bitcast float* %335 to <8 x float>*
	store <8 x float> %270, <8 x float>* %336, align 4
	%337 = getelementptr inbounds float, float* %c, i64 32
	%338 = bitcast float* %337 to <8 x float>*
	store <8 x float> %271, <8 x float>* %338, align 4
	%339 = getelementptr inbounds float, float* %c, i64 48
	%340 = bitcast float* %339 to <8 x float>*
	store <8 x float> %272, <8 x float>* %340, align 4
	%341 = getelementptr inbounds float, float* %c, i64 56
	%342 = bitcast float* %341 to <8 x float>*
	store <8 x float> %273, <8 x float>* %342, align 4
	%343 = getelementptr inbounds float, float* %c, i64 72
	%344 = bitcast float* %343 to <8 x float>*
	store <8 x float> %274, <8 x float>* %344, align 4
	%345 = getelementptr inbounds float, float* %c, i64 80
	%346 = bitcast float* %345 to <8 x float>*
	store <8 x float> %275, <8 x float>* %346, align 4
	%347 = getelementptr inbounds float, float* %c, i64 96
	%348 = bitcast float* %347 to <8 x float>*
	store <8 x float> %276, <8 x float>* %348, align 4
	%349 = getelementptr inbounds float, float* %c, i64 104
	%350 = bitcast float* %349 to <8 x float>*
	store <8 x float> %277, <8 x float>* %350, align 4
	%351 = getelementptr inbounds float, float* %c, i64 120
	%352 = bitcast float* %351 to <8 x float>*
	store <8 x float> %278, <8 x float>* %352, align 4
	%353 = getelementptr inbounds float, float* %c, i64 128
	%354 = bitcast float* %353 to <8 x float>*
	store <8 x float> %279, <8 x float>* %354, align 4
	ret void
}

declare <8 x float> @llvm.fma.v8f32(<8 x float> %0, <8 x float> %1, <8 x float> %2)

define internal void @planc_mk_6x8_rs16_cs1_ldb24_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = getelementptr inbounds float, float* %c, i64 24
	%4 = bitcast float* %3 to <8 x float>*
	%5 = load <8 x float>, <8 x float>* %4, align 4
	%6 = select i1 %loadc, <8 x float> %5, <8 x float> zeroinitializer
	%7 = getelementptr inbounds float, float* %c, i64 48
	%8 = bitcast float* %7 to <8 x float>*
	%9 = load <8 x float>, <8 x float>* %8, align 4
	%10 = select i1 %loadc, <8 x float> %9, <8 x float> zeroinitializer
	%11 = getelementptr inbounds float, float* %c, i64 72
	%12 = bitcast float* %11 to <8 x float>*
	%13 = load <8 x float>, <8 x float>* %12, align 4
	%14 = select i1 %loadc, <8 x float> %13, <8 x float> zeroinitializer
	%15 = getelementptr inbounds float, float* %c, i64 96
	%16 = bitcast float* %15 to <8 x float>*
	%17 = load <8 x float>, <8 x float>* %16, align 4
	%18 = select i1 %loadc, <8 x float> %17, <8 x float> zeroinitializer
	%19 = getelementptr inbounds float, float* %c, i64 120
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = select i1 %loadc, <8 x float> %21, <8 x float> zeroinitializer
	%23 = sdiv i64 %kc, 4
	%24 = mul i64 %23, 4
	br label %loop1

loop1:
	%25 = phi i64 [ 0, %entry ], [ %192, %body2 ]
	%26 = phi <8 x float> [ %2, %entry ], [ %161, %body2 ]
	%27 = phi <8 x float> [ %6, %entry ], [ %167, %body2 ]
	%28 = phi <8 x float> [ %10, %entry ], [ %173, %body2 ]
	%29 = phi <8 x float> [ %14, %entry ], [ %179, %body2 ]
	%30 = phi <8 x float> [ %18, %entry ], [ %185, %body2 ]
	%31 = phi <8 x float> [ %22, %entry ], [ %191, %body2 ]
	%32 = icmp slt i64 %25, %24
	br i1 %32, label %body2, label %exit3

body2:
	%33 = mul i64 %25, 24
	%34 = getelementptr inbounds float, float* %b, i64 %33
	%35 = bitcast float* %34 to <8 x float>*
	%36 = load <8 x float>, <8 x float>* %35, align 4
	%37 = getelementptr inbounds float, float* %a, i64 %25
	%38 = load float, float* %37, align 4
	%39 = insertelement <8 x float> undef, float %38, i32 0
	%40 = shufflevector <8 x float> %39, <8 x float> undef, <8 x i32> zeroinitializer
	%41 = call <8 x float> @llvm.fma.v8f32(<8 x float> %40, <8 x float> %36, <8 x float> %26)
	%42 = add i64 %25, 16
	%43 = getelementptr inbounds float, float* %a, i64 %42
	%44 = load float, float* %43, align 4
	%45 = insertelement <8 x float> undef, float %44, i32 0
	%46 = shufflevector <8 x float> %45, <8 x float> undef, <8 x i32> zeroinitializer
	%47 = call <8 x float> @llvm.fma.v8f32(<8 x float> %46, <8 x float> %36, <8 x float> %27)
	%48 = add i64 %25, 32
	%49 = getelementptr inbounds float, float* %a, i64 %48
	%50 = load float, float* %49, align 4
	%51 = insertelement <8 x float> undef, float %50, i32 0
	%52 = shufflevector <8 x float> %51, <8 x float> undef, <8 x i32> zeroinitializer
	%53 = call <8 x float> @llvm.fma.v8f32(<8 x float> %52, <8 x float> %36, <8 x float> %28)
	%54 = add i64 %25, 48
	%55 = getelementptr inbounds float, float* %a, i64 %54
	%56 = load float, float* %55, align 4
	%57 = insertelement <8 x float> undef, float %56, i32 0
	%58 = shufflevector <8 x float> %57, <8 x float> undef, <8 x i32> zeroinitializer
	%59 = call <8 x float> @llvm.fma.v8f32(<8 x float> %58, <8 x float> %36, <8 x float> %29)
	%60 = add i64 %25, 64
	%61 = getelementptr inbounds float, float* %a, i64 %60
	%62 = load float, float* %61, align 4
	%63 = insertelement <8 x float> undef, float %62, i32 0
	%64 = shufflevector <8 x float> %63, <8 x float> undef, <8 x i32> zeroinitializer
	%65 = call <8 x float> @llvm.fma.v8f32(<8 x float> %64, <8 x float> %36, <8 x float> %30)
	%66 = add i64 %25, 80
	%67 = getelementptr inbounds float, float* %a, i64 %66
	%68 = load float, float* %67, align 4
	%69 = insertelement <8 x float> undef, float %68, i32 0
	%70 = shufflevector <8 x float> %69, <8 x float> undef, <8 x i32> zeroinitializer
	%71 = call <8 x float> @llvm.fma.v8f32(<8 x float> %70, <8 x float> %36, <8 x float> %31)
	%72 = add i64 %25, 1
	%73 = mul i64 %72, 24
	%74 = getelementptr inbounds float, float* %b, i64 %73
	%75 = bitcast float* %74 to <8 x float>*
	%76 = load <8 x float>, <8 x float>* %75, align 4
	%77 = getelementptr inbounds float, float* %a, i64 %72
	%78 = load float, float* %77, align 4
	%79 = insertelement <8 x float> undef, float %78, i32 0
	%80 = shufflevector <8 x float> %79, <8 x float> undef, <8 x i32> zeroinitializer
	%81 = call <8 x float> @llvm.fma.v8f32(<8 x float> %80, <8 x float> %76, <8 x float> %41)
	%82 = add i64 %72, 16
	%83 = getelementptr inbounds float, float* %a, i64 %82
	%84 = load float, float* %83, align 4
	%85 = insertelement <8 x float> undef, float %84, i32 0
	%86 = shufflevector <8 x float> %85, <8 x float> undef, <8 x i32> zeroinitializer
	%87 = call <8 x float> @llvm.fma.v8f32(<8 x float> %86, <8 x float> %76, <8 x float> %47)
	%88 = add i64 %72, 32
	%89 = getelementptr inbounds float, float* %a, i64 %88
	%90 = load float, float* %89, align 4
	%91 = insertelement <8 x float> undef, float %90, i32 0
	%92 = shufflevector <8 x float> %91, <8 x float> undef, <8 x i32> zeroinitializer
	%93 = call <8 x float> @llvm.fma.v8f32(<8 x float> %92, <8 x float> %76, <8 x float> %53)
	%94 = add i64 %72, 48
	%95 = getelementptr inbounds float, float* %a, i64 %94
	%96 = load float, float* %95, align 4
	%97 = insertelement <8 x float> undef, float %96, i32 0
	%98 = shufflevector <8 x float> %97, <8 x float> undef, <8 x i32> zeroinitializer
	%99 = call <8 x float> @llvm.fma.v8f32(<8 x float> %98, <8 x float> %76, <8 x float> %59)
	%100 = add i64 %72, 64
	%101 = getelementptr inbounds float, float* %a, i64 %100
	%102 = load float, float* %101, align 4
	%103 = insertelement <8 x float> undef, float %102, i32 0
	%104 = shufflevector <8 x float> %103, <8 x float> undef, <8 x i32> zeroinitializer
	%105 = call <8 x float> @llvm.fma.v8f32(<8 x float> %104, <8 x float> %76, <8 x float> %65)
	%106 = add i64 %72, 80
	%107 = getelementptr inbounds float, float* %a, i64 %106
	%108 = load float, float* %107, align 4
	%109 = insertelement <8 x float> undef, float %108, i32 0
	%110 = shufflevector <8 x float> %109, <8 x float> undef, <8 x i32> zeroinitializer
	%111 = call <8 x float> @llvm.fma.v8f32(<8 x float> %110, <8 x float> %76, <8 x float> %71)
	%112 = add i64 %25, 2
	%113 = mul i64 %112, 24
	%114 = getelementptr inbounds float, float* %b, i64 %113
	%115 = bitcast float* %114 to <8 x float>*
	%116 = load <8 x float>, <8 x float>* %115, align 4
	%117 = getelementptr inbounds float, float* %a, i64 %112
	%118 = load float, float* %117, align 4
	%119 = insertelement <8 x float> undef, float %118, i32 0
	%120 = shufflevector <8 x float> %119, <8 x float> undef, <8 x i32> zeroinitializer
	%121 = call <8 x float> @llvm.fma.v8f32(<8 x float> %120, <8 x float> %116, <8 x float> %81)
	%122 = add i64 %112, 16
	%123 = getelementptr inbounds float, float* %a, i64 %122
	%124 = load float, float* %123, align 4
	%125 = insertelement <8 x float> undef, float %124, i32 0
	%126 = shufflevector <8 x float> %125, <8 x float> undef, <8 x i32> zeroinitializer
	%127 = call <8 x float> @llvm.fma.v8f32(<8 x float> %126, <8 x float> %116, <8 x float> %87)
	%128 = add i64 %112, 32
	%129 = getelementptr inbounds float, float* %a, i64 %128
	%130 = load float, float* %129, align 4
	%131 = insertelement <8 x float> undef, float %130, i32 0
	%132 = shufflevector <8 x float> %131, <8 x float> undef, <8 x i32> zeroinitializer
	%133 = call <8 x float> @llvm.fma.v8f32(<8 x float> %132, <8 x float> %116, <8 x float> %93)
	%134 = add i64 %112, 48
	%135 = getelementptr inbounds float, float* %a, i64 %134
	%136 = load float, float* %135, align 4
	%137 = insertelement <8 x float> undef, float %136, i32 0
	%138 = shufflevector <8 x float> %137, <8 x float> undef, <8 x i32> zeroinitializer
	%139 = call <8 x float> @llvm.fma.v8f32(<8 x float> %138, <8 x float> %116, <8 x float> %99)
	%140 = add i64 %112, 64
	%141 = getelementptr inbounds float, float* %a, i64 %140
	%142 = load float, float* %141, align 4
	%143 = insertelement <8 x float> undef, float %142, i32 0
	%144 = shufflevector <8 x float> %143, <8 x float> undef, <8 x i32> zeroinitializer
	%145 = call <8 x float> @llvm.fma.v8f32(<8 x float> %144, <8 x float> %116, <8 x float> %105)
	%146 = add i64 %112, 80
	%147 = getelementptr inbounds float, float* %a, i64 %146
	%148 = load float, float* %147, align 4
	%149 = insertelement <8 x float> undef, float %148, i32 0
	%150 = shufflevector <8 x float> %149, <8 x float> undef, <8 x i32> zeroinitializer
	%151 = call <8 x float> @llvm.fma.v8f32(<8 x float> %150, <8 x float> %116, <8 x float> %111)
	%152 = add i64 %25, 3
	%153 = mul i64 %152, 24
	%154 = getelementptr inbounds float, float* %b, i64 %153
	%155 = bitcast float* %154 to <8 x float>*
	%156 = load <8 x float>, <8 x float>* %155, align 4
	%157 = getelementptr inbounds float, float* %a, i64 %152
	%158 = load float, float* %157, align 4
	%159 = insertelement <8 x float> undef, float %158, i32 0
	%160 = shufflevector <8 x float> %159, <8 x float> undef, <8 x i32> zeroinitializer
	%161 = call <8 x float> @llvm.fma.v8f32(<8 x float> %160, <8 x float> %156, <8 x float> %121)
	%162 = add i64 %152, 16
	%163 = getelementptr inbounds float, float* %a, i64 %162
	%164 = load float, float* %163, align 4
	%165 = insertelement <8 x float> undef, float %164, i32 0
	%166 = shufflevector <8 x float> %165, <8 x float> undef, <8 x i32> zeroinitializer
	%167 = call <8 x float> @llvm.fma.v8f32(<8 x float> %166, <8 x float> %156, <8 x float> %127)
	%168 = add i64 %152, 32
	%169 = getelementptr inbounds float, float* %a, i64 %168
	%170 = load float, float* %169, align 4
	%171 = insertelement <8 x float> undef, float %170, i32 0
	%172 = shufflevector <8 x float> %171, <8 x float> undef, <8 x i32> zeroinitializer
	%173 = call <8 x float> @llvm.fma.v8f32(<8 x float> %172, <8 x float> %156, <8 x float> %133)
	%174 = add i64 %152, 48
	%175 = getelementptr inbounds float, float* %a, i64 %174
	%176 = load float, float* %175, align 4
	%177 = insertelement <8 x float> undef, float %176, i32 0
	%178 = shufflevector <8 x float> %177, <8 x float> undef, <8 x i32> zeroinitializer
	%179 = call <8 x float> @llvm.fma.v8f32(<8 x float> %178, <8 x float> %156, <8 x float> %139)
	%180 = add i64 %152, 64
	%181 = getelementptr inbounds float, float* %a, i64 %180
	%182 = load float, float* %181, align 4
	%183 = insertelement <8 x float> undef, float %182, i32 0
	%184 = shufflevector <8 x float> %183, <8 x float> undef, <8 x i32> zeroinitializer
	%185 = call <8 x float> @llvm.fma.v8f32(<8 x float> %184, <8 x float> %156, <8 x float> %145)
	%186 = add i64 %152, 80
	%187 = getelementptr inbounds float, float* %a, i64 %186
	%188 = load float, float* %187, align 4
	%189 = insertelement <8 x float> undef, float %188, i32 0
	%190 = shufflevector <8 x float> %189, <8 x float> undef, <8 x i32> zeroinitializer
	%191 = call <8 x float> @llvm.fma.v8f32(<8 x float> %190, <8 x float> %156, <8 x float> %151)
	%192 = add i64 %25, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%193 = phi i64 [ %24, %exit3 ], [ %240, %body5 ]
	%194 = phi <8 x float> [ %26, %exit3 ], [ %209, %body5 ]
	%195 = phi <8 x float> [ %27, %exit3 ], [ %215, %body5 ]
	%196 = phi <8 x float> [ %28, %exit3 ], [ %221, %body5 ]
	%197 = phi <8 x float> [ %29, %exit3 ], [ %227, %body5 ]
	%198 = phi <8 x float> [ %30, %exit3 ], [ %233, %body5 ]
	%199 = phi <8 x float> [ %31, %exit3 ], [ %239, %body5 ]
	%200 = icmp slt i64 %193, %kc
	br i1 %200, label %body5, label %exit6

body5:
	%201 = mul i64 %193, 24
	%202 = getelementptr inbounds float, float* %b, i64 %201
	%203 = bitcast float* %202 to <8 x float>*
	%204 = load <8 x float>, <8 x float>* %203, align 4
	%205 = getelementptr inbounds float, float* %a, i64 %193
	%206 = load float, float* %205, align 4
	%207 = insertelement <8 x float> undef, float %206, i32 0
	%208 = shufflevector <8 x float> %207, <8 x float> undef, <8 x i32> zeroinitializer
	%209 = call <8 x float> @llvm.fma.v8f32(<8 x float> %208, <8 x float> %204, <8 x float> %194)
	%210 = add i64 %193, 16
	%211 = getelementptr inbounds float, float* %a, i64 %210
	%212 = load float, float* %211, align 4
	%213 = insertelement <8 x float> undef, float %212, i32 0
	%214 = shufflevector <8 x float> %213, <8 x float> undef, <8 x i32> zeroinitializer
	%215 = call <8 x float> @llvm.fma.v8f32(<8 x float> %214, <8 x float> %204, <8 x float> %195)
	%216 = add i64 %193, 32
	%217 = getelementptr inbounds float, float* %a, i64 %216
	%218 = load float, float* %217, align 4
	%219 = insertelement <8 x float> undef, float %218, i32 0
	%220 = shufflevector <8 x float> %219, <8 x float> undef, <8 x i32> zeroinitializer
	%221 = call <8 x float> @llvm.fma.v8f32(<8 x float> %220, <8 x float> %204, <8 x float> %196)
	%222 = add i64 %193, 48
	%223 = getelementptr inbounds float, float* %a, i64 %222
	%224 = load float, float* %223, align 4
	%225 = insertelement <8 x float> undef, float %224, i32 0
	%226 = shufflevector <8 x float> %225, <8 x float> undef, <8 x i32> zeroinitializer
	%227 = call <8 x float> @llvm.fma.v8f32(<8 x float> %226, <8 x float> %204, <8 x float> %197)
	%228 = add i64 %193, 64
	%229 = getelementptr inbounds float, float* %a, i64 %228
	%230 = load float, float* %229, align 4
	%231 = insertelement <8 x float> undef, float %230, i32 0
	%232 = shufflevector <8 x float> %231, <8 x float> undef, <8 x i32> zeroinitializer
	%233 = call <8 x float> @llvm.fma.v8f32(<8 x float> %232, <8 x float> %204, <8 x float> %198)
	%234 = add i64 %193, 80
	%235 = getelementptr inbounds float, float* %a, i64 %234
	%236 = load float, float* %235, align 4
	%237 = insertelement <8 x float> undef, float %236, i32 0
	%238 = shufflevector <8 x float> %237, <8 x float> undef, <8 x i32> zeroinitializer
	%239 = call <8 x float> @llvm.fma.v8f32(<8 x float> %238, <8 x float> %204, <8 x float> %199)
	%240 = add i64 %193, 1
	br label %loop4

exit6:
	%241 = bitcast float* %c to <8 x float>*
	store <8 x float> %194, <8 x float>* %241, align 4
	%242 = getelementptr inbounds float, float* %c, i64 24
	%243 = bitcast float* %242 to <8 x float>*
	store <8 x float> %195, <8 x float>* %243, align 4
	%244 = getelementptr inbounds float, float* %c, i64 48
	%245 = bitcast float* %244 to <8 x float>*
	store <8 x float> %196, <8 x float>* %245, align 4
	%246 = getelementptr inbounds float, float* %c, i64 72
	%247 = bitcast float* %246 to <8 x float>*
	store <8 x float> %197, <8 x float>* %247, align 4
	%248 = getelementptr inbounds float, float* %c, i64 96
	%249 = bitcast float* %248 to <8 x float>*
	store <8 x float> %198, <8 x float>* %249, align 4
	%250 = getelementptr inbounds float, float* %c, i64 120
	%251 = bitcast float* %250 to <8 x float>*
	store <8 x float> %199, <8 x float>* %251, align 4
	ret void
}

define internal void @planc_mk_1x16_rs16_cs1_ldb24_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = getelementptr inbounds float, float* %c, i64 8
	%4 = bitcast float* %3 to <8 x float>*
	%5 = load <8 x float>, <8 x float>* %4, align 4
	%6 = select i1 %loadc, <8 x float> %5, <8 x float> zeroinitializer
	%7 = sdiv i64 %kc, 4
	%8 = mul i64 %7, 4
	br label %loop1

loop1:
	%9 = phi i64 [ 0, %entry ], [ %76, %body2 ]
	%10 = phi <8 x float> [ %2, %entry ], [ %74, %body2 ]
	%11 = phi <8 x float> [ %6, %entry ], [ %75, %body2 ]
	%12 = icmp slt i64 %9, %8
	br i1 %12, label %body2, label %exit3

body2:
	%13 = mul i64 %9, 24
	%14 = getelementptr inbounds float, float* %b, i64 %13
	%15 = bitcast float* %14 to <8 x float>*
	%16 = load <8 x float>, <8 x float>* %15, align 4
	%17 = mul i64 %9, 24
	%18 = add i64 %17, 8
	%19 = getelementptr inbounds float, float* %b, i64 %18
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = getelementptr inbounds float, float* %a, i64 %9
	%23 = load float, float* %22, align 4
	%24 = insertelement <8 x float> undef, float %23, i32 0
	%25 = shufflevector <8 x float> %24, <8 x float> undef, <8 x i32> zeroinitializer
	%26 = call <8 x float> @llvm.fma.v8f32(<8 x float> %25, <8 x float> %16, <8 x float> %10)
	%27 = call <8 x float> @llvm.fma.v8f32(<8 x float> %25, <8 x float> %21, <8 x float> %11)
	%28 = add i64 %9, 1
	%29 = mul i64 %28, 24
	%30 = getelementptr inbounds float, float* %b, i64 %29
	%31 = bitcast float* %30 to <8 x float>*
	%32 = load <8 x float>, <8 x float>* %31, align 4
	%33 = mul i64 %28, 24
	%34 = add i64 %33, 8
	%35 = getelementptr inbounds float, float* %b, i64 %34
	%36 = bitcast float* %35 to <8 x float>*
	%37 = load <8 x float>, <8 x float>* %36, align 4
	%38 = getelementptr inbounds float, float* %a, i64 %28
	%39 = load float, float* %38, align 4
	%40 = insertelement <8 x float> undef, float %39, i32 0
	%41 = shufflevector <8 x float> %40, <8 x float> undef, <8 x i32> zeroinitializer
	%42 = call <8 x float> @llvm.fma.v8f32(<8 x float> %41, <8 x float> %32, <8 x float> %26)
	%43 = call <8 x float> @llvm.fma.v8f32(<8 x float> %41, <8 x float> %37, <8 x float> %27)
	%44 = add i64 %9, 2
	%45 = mul i64 %44, 24
	%46 = getelementptr inbounds float, float* %b, i64 %45
	%47 = bitcast float* %46 to <8 x float>*
	%48 = load <8 x float>, <8 x float>* %47, align 4
	%49 = mul i64 %44, 24
	%50 = add i64 %49, 8
	%51 = getelementptr inbounds float, float* %b, i64 %50
	%52 = bitcast float* %51 to <8 x float>*
	%53 = load <8 x float>, <8 x float>* %52, align 4
	%54 = getelementptr inbounds float, float* %a, i64 %44
	%55 = load float, float* %54, align 4
	%56 = insertelement <8 x float> undef, float %55, i32 0
	%57 = shufflevector <8 x float> %56, <8 x float> undef, <8 x i32> zeroinitializer
	%58 = call <8 x float> @llvm.fma.v8f32(<8 x float> %57, <8 x float> %48, <8 x float> %42)
	%59 = call <8 x float> @llvm.fma.v8f32(<8 x float> %57, <8 x float> %53, <8 x float> %43)
	%60 = add i64 %9, 3
	%61 = mul i64 %60, 24
	%62 = getelementptr inbounds float, float* %b, i64 %61
	%63 = bitcast float* %62 to <8 x float>*
	%64 = load <8 x float>, <8 x float>* %63, align 4
	%65 = mul i64 %60, 24
	%66 = add i64 %65, 8
	%67 = getelementptr inbounds float, float* %b, i64 %66
	%68 = bitcast float* %67 to <8 x float>*
	%69 = load <8 x float>, <8 x float>* %68, align 4
	%70 = getelementptr inbounds float, float* %a, i64 %60
	%71 = load float, float* %70, align 4
	%72 = insertelement <8 x float> undef, float %71, i32 0
	%73 = shufflevector <8 x float> %72, <8 x float> undef, <8 x i32> zeroinitializer
	%74 = call <8 x float> @llvm.fma.v8f32(<8 x float> %73, <8 x float> %64, <8 x float> %58)
	%75 = call <8 x float> @llvm.fma.v8f32(<8 x float> %73, <8 x float> %69, <8 x float> %59)
	%76 = add i64 %9, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%77 = phi i64 [ %8, %exit3 ], [ %96, %body5 ]
	%78 = phi <8 x float> [ %10, %exit3 ], [ %94, %body5 ]
	%79 = phi <8 x float> [ %11, %exit3 ], [ %95, %body5 ]
	%80 = icmp slt i64 %77, %kc
	br i1 %80, label %body5, label %exit6

body5:
	%81 = mul i64 %77, 24
	%82 = getelementptr inbounds float, float* %b, i64 %81
	%83 = bitcast float* %82 to <8 x float>*
	%84 = load <8 x float>, <8 x float>* %83, align 4
	%85 = mul i64 %77, 24
	%86 = add i64 %85, 8
	%87 = getelementptr inbounds float, float* %b, i64 %86
	%88 = bitcast float* %87 to <8 x float>*
	%89 = load <8 x float>, <8 x float>* %88, align 4
	%90 = getelementptr inbounds float, float* %a, i64 %77
	%91 = load float, float* %90, align 4
	%92 = insertelement <8 x float> undef, float %91, i32 0
	%93 = shufflevector <8 x float> %92, <8 x float> undef, <8 x i32> zeroinitializer
	%94 = call <8 x float> @llvm.fma.v8f32(<8 x float> %93, <8 x float> %84, <8 x float> %78)
	%95 = call <8 x float> @llvm.fma.v8f32(<8 x float> %93, <8 x float> %89, <8 x float> %79)
	%96 = add i64 %77, 1
	br label %loop4

exit6:
	%97 = bitcast float* %c to <8 x float>*
	store <8 x float> %78, <8 x float>* %97, align 4
	%98 = getelementptr inbounds float, float* %c, i64 8
	%99 = bitcast float* %98 to <8 x float>*
	store <8 x float> %79, <8 x float>* %99, align 4
	ret void
}

define internal void @planc_mk_1x8_rs16_cs1_ldb24_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = sdiv i64 %kc, 4
	%4 = mul i64 %3, 4
	br label %loop1

loop1:
	%5 = phi i64 [ 0, %entry ], [ %47, %body2 ]
	%6 = phi <8 x float> [ %2, %entry ], [ %46, %body2 ]
	%7 = icmp slt i64 %5, %4
	br i1 %7, label %body2, label %exit3

body2:
	%8 = mul i64 %5, 24
	%9 = getelementptr inbounds float, float* %b, i64 %8
	%10 = bitcast float* %9 to <8 x float>*
	%11 = load <8 x float>, <8 x float>* %10, align 4
	%12 = getelementptr inbounds float, float* %a, i64 %5
	%13 = load float, float* %12, align 4
	%14 = insertelement <8 x float> undef, float %13, i32 0
	%15 = shufflevector <8 x float> %14, <8 x float> undef, <8 x i32> zeroinitializer
	%16 = call <8 x float> @llvm.fma.v8f32(<8 x float> %15, <8 x float> %11, <8 x float> %6)
	%17 = add i64 %5, 1
	%18 = mul i64 %17, 24
	%19 = getelementptr inbounds float, float* %b, i64 %18
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = getelementptr inbounds float, float* %a, i64 %17
	%23 = load float, float* %22, align 4
	%24 = insertelement <8 x float> undef, float %23, i32 0
	%25 = shufflevector <8 x float> %24, <8 x float> undef, <8 x i32> zeroinitializer
	%26 = call <8 x float> @llvm.fma.v8f32(<8 x float> %25, <8 x float> %21, <8 x float> %16)
	%27 = add i64 %5, 2
	%28 = mul i64 %27, 24
	%29 = getelementptr inbounds float, float* %b, i64 %28
	%30 = bitcast float* %29 to <8 x float>*
	%31 = load <8 x float>, <8 x float>* %30, align 4
	%32 = getelementptr inbounds float, float* %a, i64 %27
	%33 = load float, float* %32, align 4
	%34 = insertelement <8 x float> undef, float %33, i32 0
	%35 = shufflevector <8 x float> %34, <8 x float> undef, <8 x i32> zeroinitializer
	%36 = call <8 x float> @llvm.fma.v8f32(<8 x float> %35, <8 x float> %31, <8 x float> %26)
	%37 = add i64 %5, 3
	%38 = mul i64 %37, 24
	%39 = getelementptr inbounds float, float* %b, i64 %38
	%40 = bitcast float* %39 to <8 x float>*
	%41 = load <8 x float>, <8 x float>* %40, align 4
	%42 = getelementptr inbounds float, float* %a, i64 %37
	%43 = load float, float* %42, align 4
	%44 = insertelement <8 x float> undef, float %43, i32 0
	%45 = shufflevector <8 x float> %44, <8 x float> undef, <8 x i32> zeroinitializer
	%46 = call <8 x float> @llvm.fma.v8f32(<8 x float> %45, <8 x float> %41, <8 x float> %36)
	%47 = add i64 %5, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%48 = phi i64 [ %4, %exit3 ], [ %60, %body5 ]
	%49 = phi <8 x float> [ %6, %exit3 ], [ %59, %body5 ]
	%50 = icmp slt i64 %48, %kc
	br i1 %50, label %body5, label %exit6

body5:
	%51 = mul i64 %48, 24
	%52 = getelementptr inbounds float, float* %b, i64 %51
	%53 = bitcast float* %52 to <8 x float>*
	%54 = load <8 x float>, <8 x float>* %53, align 4
	%55 = getelementptr inbounds float, float* %a, i64 %48
	%56 = load float, float* %55, align 4
	%57 = insertelement <8 x float> undef, float %56, i32 0
	%58 = shufflevector <8 x float> %57, <8 x float> undef, <8 x i32> zeroinitializer
	%59 = call <8 x float> @llvm.fma.v8f32(<8 x float> %58, <8 x float> %54, <8 x float> %49)
	%60 = add i64 %48, 1
	br label %loop4

exit6:
	%61 = bitcast float* %c to <8 x float>*
	store <8 x float> %49, <8 x float>* %61, align 4
	ret void
}

declare float @llvm.fma.f32(float %0, float %1, float %2)

define void @matmul_nt_m12_k16_n24(float* nocapture %a, float* nocapture %b, float* nocapture %c, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, 1
	%1 = select i1 %0, i64 %hi, i64 1
	%2 = mul i64 %lo, 128
	%3 = mul i64 %1, 128
	%4 = icmp slt i64 %3, 24
	%5 = select i1 %4, i64 %3, i64 24
	%6 = alloca [8192 x float], align 32
	%7 = bitcast [8192 x float]* %6 to float*
	br label %loop1

loop1:
	%8 = phi i64 [ %2, %entry ], [ %21, %exit6 ]
	%9 = icmp slt i64 %8, %5
	br i1 %9, label %body2, label %exit3

body2:
	%10 = sub i64 24, %8
	%11 = icmp slt i64 24, %10
	%12 = select i1 %11, i64 24, i64 %10
	br label %loop4

exit3:
	ret void

loop4:
	%13 = phi i64 [ 0, %body2 ], [ %496, %exit88 ]
	%14 = icmp slt i64 %13, 16
	br i1 %14, label %body5, label %exit6

body5:
	%15 = sub i64 16, %13
	%16 = icmp slt i64 256, %15
	%17 = select i1 %16, i64 256, i64 %15
	%18 = icmp sgt i64 %13, 0
	%19 = sdiv i64 %12, 16
	%20 = mul i64 %19, 16
	br label %loop7

exit6:
	%21 = add i64 %8, 24
	br label %loop1

loop7:
	%22 = phi i64 [ 0, %body5 ], [ %414, %exit63 ]
	%23 = icmp slt i64 %22, %20
	br i1 %23, label %body8, label %exit9

body8:
	%24 = mul i64 %22, %17
	%25 = getelementptr inbounds float, float* %7, i64 %24
	%26 = sdiv i64 %17, 8
	%27 = mul i64 %26, 8
	%28 = add i64 %8, %22
	%29 = mul i64 %28, 16
	%30 = add i64 %29, %13
	%31 = getelementptr inbounds float, float* %b, i64 %30
	%32 = add i64 %8, %22
	%33 = add i64 %32, 1
	%34 = mul i64 %33, 16
	%35 = add i64 %34, %13
	%36 = getelementptr inbounds float, float* %b, i64 %35
	%37 = add i64 %8, %22
	%38 = add i64 %37, 2
	%39 = mul i64 %38, 16
	%40 = add i64 %39, %13
	%41 = getelementptr inbounds float, float* %b, i64 %40
	%42 = add i64 %8, %22
	%43 = add i64 %42, 3
	%44 = mul i64 %43, 16
	%45 = add i64 %44, %13
	%46 = getelementptr inbounds float, float* %b, i64 %45
	%47 = add i64 %8, %22
	%48 = add i64 %47, 4
	%49 = mul i64 %48, 16
	%50 = add i64 %49, %13
	%51 = getelementptr inbounds float, float* %b, i64 %50
	%52 = add i64 %8, %22
	%53 = add i64 %52, 5
	%54 = mul i64 %53, 16
	%55 = add i64 %54, %13
	%56 = getelementptr inbounds float, float* %b, i64 %55
	%57 = add i64 %8, %22
	%58 = add i64 %57, 6
	%59 = mul i64 %58, 16
	%60 = add i64 %59, %13
	%61 = getelementptr inbounds float, float* %b, i64 %60
	%62 = add i64 %8, %22
	%63 = add i64 %62, 7
	%64 = mul i64 %63, 16
	%65 = add i64 %64, %13
	%66 = getelementptr inbounds float, float* %b, i64 %65
	br label %loop10

exit9:
	br label %loop64

loop10:
	%67 = phi i64 [ 0, %body8 ], [ %156, %body11 ]
	%68 = icmp slt i64 %67, %27
	br i1 %68, label %body11, label %exit12

body11:
	%69 = getelementptr inbounds float, float* %31, i64 %67
	%70 = bitcast float* %69 to <8 x float>*
	%71 = load <8 x float>, <8 x float>* %70, align 4
	%72 = getelementptr inbounds float, float* %36, i64 %67
	%73 = bitcast float* %72 to <8 x float>*
	%74 = load <8 x float>, <8 x float>* %73, align 4
	%75 = getelementptr inbounds float, float* %41, i64 %67
	%76 = bitcast float* %75 to <8 x float>*
	%77 = load <8 x float>, <8 x float>* %76, align 4
	%78 = getelementptr inbounds float, float* %46, i64 %67
	%79 = bitcast float* %78 to <8 x float>*
	%80 = load <8 x float>, <8 x float>* %79, align 4
	%81 = getelementptr inbounds float, float* %51, i64 %67
	%82 = bitcast float* %81 to <8 x float>*
	%83 = load <8 x float>, <8 x float>* %82, align 4
	%84 = getelementptr inbounds float, float* %56, i64 %67
	%85 = bitcast float* %84 to <8 x float>*
	%86 = load <8 x float>, <8 x float>* %85, align 4
	%87 = getelementptr inbounds float, float* %61, i64 %67
	%88 = bitcast float* %87 to <8 x float>*
	%89 = load <8 x float>, <8 x float>* %88, align 4
	%90 = getelementptr inbounds float, float* %66, i64 %67
	%91 = bitcast float* %90 to <8 x float>*
	%92 = load <8 x float>, <8 x float>* %91, align 4
	%93 = shufflevector <8 x float> %71, <8 x float> %74, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%94 = shufflevector <8 x float> %71, <8 x float> %74, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%95 = shufflevector <8 x float> %77, <8 x float> %80, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%96 = shufflevector <8 x float> %77, <8 x float> %80, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%97 = shufflevector <8 x float> %83, <8 x float> %86, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%98 = shufflevector <8 x float> %83, <8 x float> %86, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%99 = shufflevector <8 x float> %89, <8 x float> %92, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%100 = shufflevector <8 x float> %89, <8 x float> %92, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%101 = shufflevector <8 x float> %93, <8 x float> %95, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%102 = shufflevector <8 x float> %93, <8 x float> %95, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%103 = shufflevector <8 x float> %94, <8 x float> %96, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%104 = shufflevector <8 x float> %94, <8 x float> %96, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%105 = shufflevector <8 x float> %97, <8 x float> %99, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%106 = shufflevector <8 x float> %97, <8 x float> %99, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%107 = shufflevector <8 x float> %98, <8 x float> %100, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%108 = shufflevector <8 x float> %98, <8 x float> %100, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%109 = shufflevector <8 x float> %101, <8 x float> %105, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%110 = shufflevector <8 x float> %101, <8 x float> %105, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%111 = shufflevector <8 x float> %102, <8 x float> %106, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%112 = shufflevector <8 x float> %102, <8 x float> %106, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%113 = shufflevector <8 x float> %103, <8 x float> %107, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%114 = shufflevector <8 x float> %103, <8 x float> %107, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%115 = shufflevector <8 x float> %104, <8 x float> %108, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%116 = shufflevector <8 x float> %104, <8 x float> %108, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%117 = mul i64 %67, 16
	%118 = add i64 %117, 0
	%119 = getelementptr inbounds float, float* %25, i64 %118
	%120 = bitcast float* %119 to <8 x float>*
	store <8 x float> %109, <8 x float>* %120, align 4
	%121 = add i64 %67, 1
	%122 = mul i64 %121, 16
	%123 = add i64 %122, 0
	%124 = getelementptr inbounds float, float* %25, i64 %123
	%125 = bitcast float* %124 to <8 x float>*
	store <8 x float> %111, <8 x float>* %125, align 4
	%126 = add i64 %67, 2
	%127 = mul i64 %126, 16
	%128 = add i64 %127, 0
	%129 = getelementptr inbounds float, float* %25, i64 %128
	%130 = bitcast float* %129 to <8 x float>*
	store <8 x float> %113, <8 x float>* %130, align 4
	%131 = add i64 %67, 3
	%132 = mul i64 %131, 16
	%133 = add i64 %132, 0
	%134 = getelementptr inbounds float, float* %25, i64 %133
	%135 = bitcast float* %134 to <8 x float>*
	store <8 x float> %115, <8 x float>* %135, align 4
	%136 = add i64 %67, 4
	%137 = mul i64 %136, 16
	%138 = add i64 %137, 0
	%139 = getelementptr inbounds float, float* %25, i64 %138
	%140 = bitcast float* %139 to <8 x float>*
	store <8 x float> %110, <8 x float>* %140, align 4
	%141 = add i64 %67, 5
	%142 = mul i64 %141, 16
	%143 = add i64 %142, 0
	%144 = getelementptr inbounds float, float* %25, i64 %143
	%145 = bitcast float* %144 to <8 x float>*
	store <8 x float> %112, <8 x float>* %145, align 4
	%146 = add i64 %67, 6
	%147 = mul i64 %146, 16
	%148 = add i64 %147, 0
	%149 = getelementptr inbounds float, float* %25, i64 %148
	%150 = bitcast float* %149 to <8 x float>*
	store <8 x float> %114, <8 x float>* %150, align 4
	%151 = add i64 %67, 7
	%152 = mul i64 %151, 16
	%153 = add i64 %152, 0
	%154 = getelementptr inbounds float, float* %25, i64 %153
	%155 = bitcast float* %154 to <8 x float>*
	store <8 x float> %116, <8 x float>* %155, align 4
	%156 = add i64 %67, 8
	br label %loop10

exit12:
	br label %loop13

loop13:
	%157 = phi i64 [ %27, %exit12 ], [ %163, %body14 ]
	%158 = icmp slt i64 %157, %17
	br i1 %158, label %body14, label %exit15

body14:
	%159 = mul i64 %157, 16
	%160 = getelementptr inbounds float, float* %31, i64 %157
	%161 = load float, float* %160, align 4
	%162 = getelementptr inbounds float, float* %25, i64 %159
	store float %161, float* %162, align 4
	%163 = add i64 %157, 1
	br label %loop13

exit15:
	br label %loop16

loop16:
	%164 = phi i64 [ %27, %exit15 ], [ %171, %body17 ]
	%165 = icmp slt i64 %164, %17
	br i1 %165, label %body17, label %exit18

body17:
	%166 = mul i64 %164, 16
	%167 = add i64 %166, 1
	%168 = getelementptr inbounds float, float* %36, i64 %164
	%169 = load float, float* %168, align 4
	%170 = getelementptr inbounds float, float* %25, i64 %167
	store float %169, float* %170, align 4
	%171 = add i64 %164, 1
	br label %loop16

exit18:
	br label %loop19

loop19:
	%172 = phi i64 [ %27, %exit18 ], [ %179, %body20 ]
	%173 = icmp slt i64 %172, %17
	br i1 %173, label %body20, label %exit21

body20:
	%174 = mul i64 %172, 16
	%175 = add i64 %174, 2
	%176 = getelementptr inbounds float, float* %41, i64 %172
	%177 = load float, float* %176, align 4
	%178 = getelementptr inbounds float, float* %25, i64 %175
	store float %177, float* %178, align 4
	%179 = add i64 %172, 1
	br label %loop19

exit21:
	br label %loop22

loop22:
	%180 = phi i64 [ %27, %exit21 ], [ %187, %body23 ]
	%181 = icmp slt i64 %180, %17
	br i1 %181, label %body23, label %exit24

body23:
	%182 = mul i64 %180, 16
	%183 = add i64 %182, 3
	%184 = getelementptr inbounds float, float* %46, i64 %180
	%185 = load float, float* %184, align 4
	%186 = getelementptr inbounds float, float* %25, i64 %183
	store float %185, float* %186, align 4
	%187 = add i64 %180, 1
	br label %loop22

exit24:
	br label %loop25

loop25:
	%188 = phi i64 [ %27, %exit24 ], [ %195, %body26 ]
	%189 = icmp slt i64 %188, %17
	br i1 %189, label %body26, label %exit27

body26:
	%190 = mul i64 %188, 16
	%191 = add i64 %190, 4
	%192 = getelementptr inbounds float, float* %51, i64 %188
	%193 = load float, float* %192, align 4
	%194 = getelementptr inbounds float, float* %25, i64 %191
	store float %193, float* %194, align 4
	%195 = add i64 %188, 1
	br label %loop25

exit27:
	br label %loop28

loop28:
	%196 = phi i64 [ %27, %exit27 ], [ %203, %body29 ]
	%197 = icmp slt i64 %196, %17
	br i1 %197, label %body29, label %exit30

body29:
	%198 = mul i64 %196, 16
	%199 = add i64 %198, 5
	%200 = getelementptr inbounds float, float* %56, i64 %196
	%201 = load float, float* %200, align 4
	%202 = getelementptr inbounds float, float* %25, i64 %199
	store float %201, float* %202, align 4
	%203 = add i64 %196, 1
	br label %loop28

exit30:
	br label %loop31

loop31:
	%204 = phi i64 [ %27, %exit30 ], [ %211, %body32 ]
	%205 = icmp slt i64 %204, %17
	br i1 %205, label %body32, label %exit33

body32:
	%206 = mul i64 %204, 16
	%207 = add i64 %206, 6
	%208 = getelementptr inbounds float, float* %61, i64 %204
	%209 = load float, float* %208, align 4
	%210 = getelementptr inbounds float, float* %25, i64 %207
	store float %209, float* %210, align 4
	%211 = add i64 %204, 1
	br label %loop31

exit33:
	br label %loop34

loop34:
	%212 = phi i64 [ %27, %exit33 ], [ %219, %body35 ]
	%213 = icmp slt i64 %212, %17
	br i1 %213, label %body35, label %exit36

body35:
	%214 = mul i64 %212, 16
	%215 = add i64 %214, 7
	%216 = getelementptr inbounds float, float* %66, i64 %212
	%217 = load float, float* %216, align 4
	%218 = getelementptr inbounds float, float* %25, i64 %215
	store float %217, float* %218, align 4
	%219 = add i64 %212, 1
	br label %loop34

exit36:
	%220 = add i64 %8, %22
	%221 = add i64 %220, 8
	%222 = mul i64 %221, 16
	%223 = add i64 %222, %13
	%224 = getelementptr inbounds float, float* %b, i64 %223
	%225 = add i64 %8, %22
	%226 = add i64 %225, 9
	%227 = mul i64 %226, 16
	%228 = add i64 %227, %13
	%229 = getelementptr inbounds float, float* %b, i64 %228
	%230 = add i64 %8, %22
	%231 = add i64 %230, 10
	%232 = mul i64 %231, 16
	%233 = add i64 %232, %13
	%234 = getelementptr inbounds float, float* %b, i64 %233
	%235 = add i64 %8, %22
	%236 = add i64 %235, 11
	%237 = mul i64 %236, 16
	%238 = add i64 %237, %13
	%239 = getelementptr inbounds float, float* %b, i64 %238
	%240 = add i64 %8, %22
	%241 = add i64 %240, 12
	%242 = mul i64 %241, 16
	%243 = add i64 %242, %13
	%244 = getelementptr inbounds float, float* %b, i64 %243
	%245 = add i64 %8, %22
	%246 = add i64 %245, 13
	%247 = mul i64 %246, 16
	%248 = add i64 %247, %13
	%249 = getelementptr inbounds float, float* %b, i64 %248
	%250 = add i64 %8, %22
	%251 = add i64 %250, 14
	%252 = mul i64 %251, 16
	%253 = add i64 %252, %13
	%254 = getelementptr inbounds float, float* %b, i64 %253
	%255 = add i64 %8, %22
	%256 = add i64 %255, 15
	%257 = mul i64 %256, 16
	%258 = add i64 %257, %13
	%259 = getelementptr inbounds float, float* %b, i64 %258
	br label %loop37

loop37:
	%260 = phi i64 [ 0, %exit36 ], [ %349, %body38 ]
	%261 = icmp slt i64 %260, %27
	br i1 %261, label %body38, label %exit39

body38:
	%262 = getelementptr inbounds float, float* %224, i64 %260
	%263 = bitcast float* %262 to <8 x float>*
	%264 = load <8 x float>, <8 x float>* %263, align 4
	%265 = getelementptr inbounds float, float* %229, i64 %260
	%266 = bitcast float* %265 to <8 x float>*
	%267 = load <8 x float>, <8 x float>* %266, align 4
	%268 = getelementptr inbounds float, float* %234, i64 %260
	%269 = bitcast float* %268 to <8 x float>*
	%270 = load <8 x float>, <8 x float>* %269, align 4
	%271 = getelementptr inbounds float, float* %239, i64 %260
	%272 = bitcast float* %271 to <8 x float>*
	%273 = load <8 x float>, <8 x float>* %272, align 4
	%274 = getelementptr inbounds float, float* %244, i64 %260
	%275 = bitcast float* %274 to <8 x float>*
	%276 = load <8 x float>, <8 x float>* %275, align 4
	%277 = getelementptr inbounds float, float* %249, i64 %260
	%278 = bitcast float* %277 to <8 x float>*
	%279 = load <8 x float>, <8 x float>* %278, align 4
	%280 = getelementptr inbounds float, float* %254, i64 %260
	%281 = bitcast float* %280 to <8 x float>*
	%282 = load <8 x float>, <8 x float>* %281, align 4
	%283 = getelementptr inbounds float, float* %259, i64 %260
	%284 = bitcast float* %283 to <8 x float>*
	%285 = load <8 x float>, <8 x float>* %284, align 4
	%286 = shufflevector <8 x float> %264, <8 x float> %267, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%287 = shufflevector <8 x float> %264, <8 x float> %267, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%288 = shufflevector <8 x float> %270, <8 x float> %273, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%289 = shufflevector <8 x float> %270, <8 x float> %273, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%290 = shufflevector <8 x float> %276, <8 x float> %279, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%291 = shufflevector <8 x float> %276, <8 x float> %279, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%292 = shufflevector <8 x float> %282, <8 x float> %285, <8 x i32> <i32 0, i32 8, i32 1, i32 9, i32 4, i32 12, i32 5, i32 13>
	%293 = shufflevector <8 x float> %282, <8 x float> %285, <8 x i32> <i32 2, i32 10, i32 3, i32 11, i32 6, i32 14, i32 7, i32 15>
	%294 = shufflevector <8 x float> %286, <8 x float> %288, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%295 = shufflevector <8 x float> %286, <8 x float> %288, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%296 = shufflevector <8 x float> %287, <8 x float> %289, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%297 = shufflevector <8 x float> %287, <8 x float> %289, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%298 = shufflevector <8 x float> %290, <8 x float> %292, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%299 = shufflevector <8 x float> %290, <8 x float> %292, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%300 = shufflevector <8 x float> %291, <8 x float> %293, <8 x i32> <i32 0, i32 1, i32 8, i32 9, i32 4, i32 5, i32 12, i32 13>
	%301 = shufflevector <8 x float> %291, <8 x float> %293, <8 x i32> <i32 2, i32 3, i32 10, i32 11, i32 6, i32 7, i32 14, i32 15>
	%302 = shufflevector <8 x float> %294, <8 x float> %298, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%303 = shufflevector <8 x float> %294, <8 x float> %298, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%304 = shufflevector <8 x float> %295, <8 x float> %299, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%305 = shufflevector <8 x float> %295, <8 x float> %299, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%306 = shufflevector <8 x float> %296, <8 x float> %300, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%307 = shufflevector <8 x float> %296, <8 x float> %300, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%308 = shufflevector <8 x float> %297, <8 x float> %301, <8 x i32> <i32 0, i32 1, i32 2, i32 3, i32 8, i32 9, i32 10, i32 11>
	%309 = shufflevector <8 x float> %297, <8 x float> %301, <8 x i32> <i32 4, i32 5, i32 6, i32 7, i32 12, i32 13, i32 14, i32 15>
	%310 = mul i64 %260, 16
	%311 = add i64 %310, 8
	%312 = getelementptr inbounds float, float* %25, i64 %311
	%313 = bitcast float* %312 to <8 x float>*
	store <8 x float> %302, <8 x float>* %313, align 4
	%314 = add i64 %260, 1
	%315 = mul i64 %314, 16
	%316 = add i64 %315, 8
	%317 = getelementptr inbounds float, float* %25, i64 %316
	%318 = bitcast float* %317 to <8 x float>*
	store <8 x float> %304, <8 x float>* %318, align 4
	%319 = add i64 %260, 2
	%320 = mul i64 %319, 16
	%321 = add i64 %320, 8
	%322 = getelementptr inbounds float, float* %25, i64 %321
	%323 = bitcast float* %322 to <8 x float>*
	store <8 x float> %306, <8 x float>* %323, align 4
	%324 = add i64 %260, 3
	%325 = mul i64 %324, 16
	%326 = add i64 %325, 8
	%327 = getelementptr inbounds float, float* %25, i64 %326
	%328 = bitcast float* %327 to <8 x float>*
	store <8 x float> %308, <8 x float>* %328, align 4
	%329 = add i64 %260, 4
	%330 = mul i64 %329, 16
	%331 = add i64 %330, 8
	%332 = getelementptr inbounds float, float* %25, i64 %331
	%333 = bitcast float* %332 to <8 x float>*
	store <8 x float> %303, <8 x float>* %333, align 4
	%334 = add i64 %260, 5
	%335 = mul i64 %334, 16
	%336 = add i64 %335, 8
	%337 = getelementptr inbounds float, float* %25, i64 %336
	%338 = bitcast float* %337 to <8 x float>*
	store <8 x float> %305, <8 x float>* %338, align 4
	%339 = add i64 %260, 6
	%340 = mul i64 %339, 16
	%341 = add i64 %340, 8
	%342 = getelementptr inbounds float, float* %25, i64 %341
	%343 = bitcast float* %342 to <8 x float>*
	store <8 x float> %307, <8 x float>* %343, align 4
	%344 = add i64 %260, 7
	%345 = mul i64 %344, 16
	%346 = add i64 %345, 8
	%347 = getelementptr inbounds float, float* %25, i64 %346
	%348 = bitcast float* %347 to <8 x float>*
	store <8 x float> %309, <8 x float>* %348, align 4
	%349 = add i64 %260, 8
	br label %loop37

exit39:
	br label %loop40

loop40:
	%350 = phi i64 [ %27, %exit39 ], [ %357, %body41 ]
	%351 = icmp slt i64 %350, %17
	br i1 %351, label %body41, label %exit42

body41:
	%352 = mul i64 %350, 16
	%353 = add i64 %352, 8
	%354 = getelementptr inbounds float, float* %224, i64 %350
	%355 = load float, float* %354, align 4
	%356 = getelementptr inbounds float, float* %25, i64 %353
	store float %355, float* %356, align 4
	%357 = add i64 %350, 1
	br label %loop40

exit42:
	br label %loop43

loop43:
	%358 = phi i64 [ %27, %exit42 ], [ %365, %body44 ]
	%359 = icmp slt i64 %358, %17
	br i1 %359, label %body44, label %exit45

body44:
	%360 = mul i64 %358, 16
	%361 = add i64 %360, 9
	%362 = getelementptr inbounds float, float* %229, i64 %358
	%363 = load float, float* %362, align 4
	%364 = getelementptr inbounds float, float* %25, i64 %361
	store float %363, float* %364, align 4
	%365 = add i64 %358, 1
	br label %loop43

exit45:
	br label %loop46

loop46:
	%366 = phi i64 [ %27, %exit45 ], [ %373, %body47 ]
	%367 = icmp slt i64 %366, %17
	br i1 %367, label %body47, label %exit48

body47:
	%368 = mul i64 %366, 16
	%369 = add i64 %368, 10
	%370 = getelementptr inbounds float, float* %234, i64 %366
	%371 = load float, float* %370, align 4
	%372 = getelementptr inbounds float, float* %25, i64 %369
	store float %371, float* %372, align 4
	%373 = add i64 %366, 1
	br label %loop46

exit48:
	br label %loop49

loop49:
	%374 = phi i64 [ %27, %exit48 ], [ %381, %body50 ]
	%375 = icmp slt i64 %374, %17
	br i1 %375, label %body50, label %exit51

body50:
	%376 = mul i64 %374, 16
	%377 = add i64 %376, 11
	%378 = getelementptr inbounds float, float* %239, i64 %374
	%379 = load float, float* %378, align 4
	%380 = getelementptr inbounds float, float* %25, i64 %377
	store float %379, float* %380, align 4
	%381 = add i64 %374, 1
	br label %loop49

exit51:
	br label %loop52

loop52:
	%382 = phi i64 [ %27, %exit51 ], [ %389, %body53 ]
	%383 = icmp slt i64 %382, %17
	br i1 %383, label %body53, label %exit54

body53:
	%384 = mul i64 %382, 16
	%385 = add i64 %384, 12
	%386 = getelementptr inbounds float, float* %244, i64 %382
	%387 = load float, float* %386, align 4
	%388 = getelementptr inbounds float, float* %25, i64 %385
	store float %387, float* %388, align 4
	%389 = add i64 %382, 1
	br label %loop52

exit54:
	br label %loop55

loop55:
	%390 = phi i64 [ %27, %exit54 ], [ %397, %body56 ]
	%391 = icmp slt i64 %390, %17
	br i1 %391, label %body56, label %exit57

body56:
	%392 = mul i64 %390, 16
	%393 = add i64 %392, 13
	%394 = getelementptr inbounds float, float* %249, i64 %390
	%395 = load float, float* %394, align 4
	%396 = getelementptr inbounds float, float* %25, i64 %393
	store float %395, float* %396, align 4
	%397 = add i64 %390, 1
	br label %loop55

exit57:
	br label %loop58

loop58:
	%398 = phi i64 [ %27, %exit57 ], [ %405, %body59 ]
	%399 = icmp slt i64 %398, %17
	br i1 %399, label %body59, label %exit60

body59:
	%400 = mul i64 %398, 16
	%401 = add i64 %400, 14
	%402 = getelementptr inbounds float, float* %254, i64 %398
	%403 = load float, float* %402, align 4
	%404 = getelementptr inbounds float, float* %25, i64 %401
	store float %403, float* %404, align 4
	%405 = add i64 %398, 1
	br label %loop58

exit60:
	br label %loop61

loop61:
	%406 = phi i64 [ %27, %exit60 ], [ %413, %body62 ]
	%407 = icmp slt i64 %406, %17
	br i1 %407, label %body62, label %exit63

body62:
	%408 = mul i64 %406, 16
	%409 = add i64 %408, 15
	%410 = getelementptr inbounds float, float* %259, i64 %406
	%411 = load float, float* %410, align 4
	%412 = getelementptr inbounds float, float* %25, i64 %409
	store float %411, float* %412, align 4
	%413 = add i64 %406, 1
	br label %loop61

exit63:
	%414 = add i64 %22, 16
	br label %loop7

loop64:
	%415 = phi i64 [ %20, %exit9 ], [ %444, %exit69 ]
	%416 = icmp slt i64 %415, %12
	br i1 %416, label %body65, label %exit66

body65:
	br label %loop67

exit66:
	%417 = sdiv i64 %12, 16
	%418 = mul i64 %417, 16
	%419 = sub i64 %12, %418
	%420 = icmp sge i64 %419, 8
	%421 = select i1 %420, i64 8, i64 0
	%422 = add i64 %418, %421
	%423 = sub i64 12, 0
	%424 = sdiv i64 %423, 6
	%425 = mul i64 %424, 6
	%426 = add i64 0, %425
	br label %loop70

loop67:
	%427 = phi i64 [ 0, %body65 ], [ %443, %body68 ]
	%428 = icmp slt i64 %427, %17
	br i1 %428, label %body68, label %exit69

body68:
	%429 = sdiv i64 %415, 16
	%430 = srem i64 %415, 16
	%431 = mul i64 %429, %17
	%432 = mul i64 %431, 16
	%433 = mul i64 %427, 16
	%434 = add i64 %433, %430
	%435 = add i64 %432, %434
	%436 = add i64 %13, %427
	%437 = add i64 %8, %415
	%438 = mul i64 %437, 16
	%439 = add i64 %438, %436
	%440 = getelementptr inbounds float, float* %b, i64 %439
	%441 = load float, float* %440, align 4
	%442 = getelementptr inbounds float, float* %7, i64 %435
	store float %441, float* %442, align 4
	%443 = add i64 %427, 1
	br label %loop67

exit69:
	%444 = add i64 %415, 1
	br label %loop64

loop70:
	%445 = phi i64 [ 0, %exit66 ], [ %469, %join77 ]
	%446 = icmp slt i64 %445, %426
	br i1 %446, label %body71, label %exit72

body71:
	br label %loop73

exit72:
	%447 = sub i64 12, %426
	br label %loop78

loop73:
	%448 = phi i64 [ 0, %body71 ], [ %459, %body74 ]
	%449 = icmp slt i64 %448, %418
	br i1 %449, label %body74, label %exit75

body74:
	%450 = mul i64 %445, 16
	%451 = add i64 %450, %13
	%452 = getelementptr inbounds float, float* %a, i64 %451
	%453 = mul i64 %448, %17
	%454 = getelementptr inbounds float, float* %7, i64 %453
	%455 = mul i64 %445, 24
	%456 = add i64 %8, %448
	%457 = add i64 %455, %456
	%458 = getelementptr inbounds float, float* %c, i64 %457
	call void @planc_mk_6x16_rs16_cs1_ldb16_ldc24(float* %452, float* %454, float* %458, i64 %17, i1 %18)
	%459 = add i64 %448, 16
	br label %loop73

exit75:
	br i1 %420, label %then76, label %join77

then76:
	%460 = mul i64 %445, 16
	%461 = add i64 %460, %13
	%462 = getelementptr inbounds float, float* %a, i64 %461
	%463 = mul i64 %418, %17
	%464 = getelementptr inbounds float, float* %7, i64 %463
	%465 = mul i64 %445, 24
	%466 = add i64 %8, %418
	%467 = add i64 %465, %466
	%468 = getelementptr inbounds float, float* %c, i64 %467
	call void @planc_mk_6x8_rs16_cs1_ldb16_ldc24(float* %462, float* %464, float* %468, i64 %17, i1 %18)
	br label %join77

join77:
	%469 = add i64 %445, 6
	br label %loop70

loop78:
	%470 = phi i64 [ %426, %exit72 ], [ %493, %join85 ]
	%471 = icmp slt i64 %470, 12
	br i1 %471, label %body79, label %exit80

body79:
	br label %loop81

exit80:
	br label %loop86

loop81:
	%472 = phi i64 [ 0, %body79 ], [ %483, %body82 ]
	%473 = icmp slt i64 %472, %418
	br i1 %473, label %body82, label %exit83

body82:
	%474 = mul i64 %470, 16
	%475 = add i64 %474, %13
	%476 = getelementptr inbounds float, float* %a, i64 %475
	%477 = mul i64 %472, %17
	%478 = getelementptr inbounds float, float* %7, i64 %477
	%479 = mul i64 %470, 24
	%480 = add i64 %8, %472
	%481 = add i64 %479, %480
	%482 = getelementptr inbounds float, float* %c, i64 %481
	call void @planc_mk_1x16_rs16_cs1_ldb16_ldc24(float* %476, float* %478, float* %482, i64 %17, i1 %18)
	%483 = add i64 %472, 16
	br label %loop81

exit83:
	br i1 %420, label %then84, label %join85

then84:
	%484 = mul i64 %470, 16
	%485 = add i64 %484, %13
	%486 = getelementptr inbounds float, float* %a, i64 %485
	%487 = mul i64 %418, %17
	%488 = getelementptr inbounds float, float* %7, i64 %487
	%489 = mul i64 %470, 24
	%490 = add i64 %8, %418
	%491 = add i64 %489, %490
	%492 = getelementptr inbounds float, float* %c, i64 %491
	call void @planc_mk_1x8_rs16_cs1_ldb16_ldc24(float* %486, float* %488, float* %492, i64 %17, i1 %18)
	br label %join85

join85:
	%493 = add i64 %470, 1
	br label %loop78

loop86:
	%494 = phi i64 [ 0, %exit80 ], [ %505, %exit91 ]
	%495 = icmp slt i64 %494, 12
	br i1 %495, label %body87, label %exit88

body87:
	br label %loop89

exit88:
	%496 = add i64 %13, 256
	br label %loop4

loop89:
	%497 = phi i64 [ %422, %body87 ], [ %526, %exit94 ]
	%498 = icmp slt i64 %497, %12
	br i1 %498, label %body90, label %exit91

body90:
	%499 = mul i64 %494, 24
	%500 = add i64 %8, %497
	%501 = add i64 %499, %500
	%502 = getelementptr inbounds float, float* %c, i64 %501
	%503 = load float, float* %502, align 4
	%504 = select i1 %18, float %503, float 0.0
	br label %loop92

exit91:
	%505 = add i64 %494, 1
	br label %loop86

loop92:
	%506 = phi i64 [ 0, %body90 ], [ %524, %body93 ]
	%507 = phi float [ %504, %body90 ], [ %523, %body93 ]
	%508 = icmp slt i64 %506, %17
	br i1 %508, label %body93, label %exit94

body93:
	%509 = add i64 %13, %506
	%510 = mul i64 %494, 16
	%511 = add i64 %510, %509
	%512 = getelementptr inbounds float, float* %a, i64 %511
	%513 = load float, float* %512, align 4
	%514 = sdiv i64 %497, 16
	%515 = srem i64 %497, 16
	%516 = mul i64 %514, %17
	%517 = mul i64 %516, 16
	%518 = mul i64 %506, 16
	%519 = add i64 %518, %515
	%520 = add i64 %517, %519
	%521 = getelementptr inbounds float, float* %7, i64 %520
	%522 = load float, float* %521, align 4
	%523 = call float @llvm.fma.f32(float %513, float %522, float %507)
	%524 = add i64 %506, 1
	br label %loop92

exit94:
	%525 = getelementptr inbounds float, float* %c, i64 %501
	store float %507, float* %525, align 4
	%526 = add i64 %497, 1
	br label %loop89
}

define internal void @planc_mk_6x16_rs16_cs1_ldb16_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = getelementptr inbounds float, float* %c, i64 8
	%4 = bitcast float* %3 to <8 x float>*
	%5 = load <8 x float>, <8 x float>* %4, align 4
	%6 = select i1 %loadc, <8 x float> %5, <8 x float> zeroinitializer
	%7 = getelementptr inbounds float, float* %c, i64 24
	%8 = bitcast float* %7 to <8 x float>*
	%9 = load <8 x float>, <8 x float>* %8, align 4
	%10 = select i1 %loadc, <8 x float> %9, <8 x float> zeroinitializer
	%11 = getelementptr inbounds float, float* %c, i64 32
	%12 = bitcast float* %11 to <8 x float>*
	%13 = load <8 x float>, <8 x float>* %12, align 4
	%14 = select i1 %loadc, <8 x float> %13, <8 x float> zeroinitializer
	%15 = getelementptr inbounds float, float* %c, i64 48
	%16 = bitcast float* %15 to <8 x float>*
	%17 = load <8 x float>, <8 x float>* %16, align 4
	%18 = select i1 %loadc, <8 x float> %17, <8 x float> zeroinitializer
	%19 = getelementptr inbounds float, float* %c, i64 56
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = select i1 %loadc, <8 x float> %21, <8 x float> zeroinitializer
	%23 = getelementptr inbounds float, float* %c, i64 72
	%24 = bitcast float* %23 to <8 x float>*
	%25 = load <8 x float>, <8 x float>* %24, align 4
	%26 = select i1 %loadc, <8 x float> %25, <8 x float> zeroinitializer
	%27 = getelementptr inbounds float, float* %c, i64 80
	%28 = bitcast float* %27 to <8 x float>*
	%29 = load <8 x float>, <8 x float>* %28, align 4
	%30 = select i1 %loadc, <8 x float> %29, <8 x float> zeroinitializer
	%31 = getelementptr inbounds float, float* %c, i64 96
	%32 = bitcast float* %31 to <8 x float>*
	%33 = load <8 x float>, <8 x float>* %32, align 4
	%34 = select i1 %loadc, <8 x float> %33, <8 x float> zeroinitializer
	%35 = getelementptr inbounds float, float* %c, i64 104
	%36 = bitcast float* %35 to <8 x float>*
	%37 = load <8 x float>, <8 x float>* %36, align 4
	%38 = select i1 %loadc, <8 x float> %37, <8 x float> zeroinitializer
	%39 = getelementptr inbounds float, float* %c, i64 120
	%40 = bitcast float* %39 to <8 x float>*
	%41 = load <8 x float>, <8 x float>* %40, align 4
	%42 = select i1 %loadc, <8 x float> %41, <8 x float> zeroinitializer
	%43 = getelementptr inbounds float, float* %c, i64 128
	%44 = bitcast float* %43 to <8 x float>*
	%45 = load <8 x float>, <8 x float>* %44, align 4
	%46 = select i1 %loadc, <8 x float> %45, <8 x float> zeroinitializer
	%47 = sdiv i64 %kc, 4
	%48 = mul i64 %47, 4
	br label %loop1

loop1:
	%49 = phi i64 [ 0, %entry ], [ %266, %body2 ]
	%50 = phi <8 x float> [ %2, %entry ], [ %229, %body2 ]
	%51 = phi <8 x float> [ %6, %entry ], [ %230, %body2 ]
	%52 = phi <8 x float> [ %10, %entry ], [ %236, %body2 ]
	%53 = phi <8 x float> [ %14, %entry ], [ %237, %body2 ]
	%54 = phi <8 x float> [ %18, %entry ], [ %243, %body2 ]
	%55 = phi <8 x float> [ %22, %entry ], [ %244, %body2 ]
	%56 = phi <8 x float> [ %26, %entry ], [ %250, %body2 ]
	%57 = phi <8 x float> [ %30, %entry ], [ %251, %body2 ]
	%58 = phi <8 x float> [ %34, %entry ], [ %257, %body2 ]
	%59 = phi <8 x float> [ %38, %entry ], [ %258, %body2 ]
	%60 = phi <8 x float> [ %42, %entry ], [ %264, %body2 ]
	%61 = phi <8 x float> [ %46, %entry ], [ %265, %body2 ]
	%62 = icmp slt i64 %49, %48
	br i1 %62, label %body2, label %exit3

body2:
	%63 = mul i64 %49, 16
	%64 = getelementptr inbounds float, float* %b, i64 %63
	%65 = bitcast float* %64 to <8 x float>*
	%66 = load <8 x float>, <8 x float>* %65, align 4
	%67 = mul i64 %49, 16
	%68 = add i64 %67, 8
	%69 = getelementptr inbounds float, float* %b, i64 %68
	%70 = bitcast float* %69 to <8 x float>*
	%71 = load <8 x float>, <8 x float>* %70, align 4
	%72 = getelementptr inbounds float, float* %a, i64 %49
	%73 = load float, float* %72, align 4
	%74 = insertelement <8 x float> undef, float %73, i32 0
	%75 = shufflevector <8 x float> %74, <8 x float> undef, <8 x i32> zeroinitializer
	%76 = call <8 x float> @llvm.fma.v8f32(<8 x float> %75, <8 x float> %66, <8 x float> %50)
	%77 = call <8 x float> @llvm.fma.v8f32(<8 x float> %75, <8 x float> %71, <8 x float> %51)
	%78 = add i64 %49, 16
	%79 = getelementptr inbounds float, float* %a, i64 %78
	%80 = load float, float* %79, align 4
	%81 = insertelement <8 x float> undef, float %80, i32 0
	%82 = shufflevector <8 x float> %81, <8 x float> undef, <8 x i32> zeroinitializer
	%83 = call <8 x float> @llvm.fma.v8f32(<8 x float> %82, <8 x float> %66, <8 x float> %52)
	%84 = call <8 x float> @llvm.fma.v8f32(<8 x float> %82, <8 x float> %71, <8 x float> %53)
	%85 = add i64 %49, 32
	%86 = getelementptr inbounds float, float* %a, i64 %85
	%87 = load float, float* %86, align 4
	%88 = insertelement <8 x float> undef, float %87, i32 0
	%89 = shufflevector <8 x float> %88, <8 x float> undef, <8 x i32> zeroinitializer
	%90 = call <8 x float> @llvm.fma.v8f32(<8 x float> %89, <8 x float> %66, <8 x float> %54)
	%91 = call <8 x float> @llvm.fma.v8f32(<8 x float> %89, <8 x float> %71, <8 x float> %55)
	%92 = add i64 %49, 48
	%93 = getelementptr inbounds float, float* %a, i64 %92
	%94 = load float, float* %93, align 4
	%95 = insertelement <8 x float> undef, float %94, i32 0
	%96 = shufflevector <8 x float> %95, <8 x float> undef, <8 x i32> zeroinitializer
	%97 = call <8 x float> @llvm.fma.v8f32(<8 x float> %96, <8 x float> %66, <8 x float> %56)
	%98 = call <8 x float> @llvm.fma.v8f32(<8 x float> %96, <8 x float> %71, <8 x float> %57)
	%99 = add i64 %49, 64
	%100 = getelementptr inbounds float, float* %a, i64 %99
	%101 = load float, float* %100, align 4
	%102 = insertelement <8 x float> undef, float %101, i32 0
	%103 = shufflevector <8 x float> %102, <8 x float> undef, <8 x i32> zeroinitializer
	%104 = call <8 x float> @llvm.fma.v8f32(<8 x float> %103, <8 x float> %66, <8 x float> %58)
	%105 = call <8 x float> @llvm.fma.v8f32(<8 x float> %103, <8 x float> %71, <8 x float> %59)
	%106 = add i64 %49, 80
	%107 = getelementptr inbounds float, float* %a, i64 %106
	%108 = load float, float* %107, align 4
	%109 = insertelement <8 x float> undef, float %108, i32 0
	%110 = shufflevector <8 x float> %109, <8 x float> undef, <8 x i32> zeroinitializer
	%111 = call <8 x float> @llvm.fma.v8f32(<8 x float> %110, <8 x float> %66, <8 x float> %60)
	%112 = call <8 x float> @llvm.fma.v8f32(<8 x float> %110, <8 x float> %71, <8 x float> %61)
	%113 = add i64 %49, 1
	%114 = mul i64 %113, 16
	%115 = getelementptr inbounds float, float* %b, i64 %114
	%116 = bitcast float* %115 to <8 x float>*
	%117 = load <8 x float>, <8 x float>* %116, align 4
	%118 = mul i64 %113, 16
	%119 = add i64 %118, 8
	%120 = getelementptr inbounds float, float* %b, i64 %119
	%121 = bitcast float* %120 to <8 x float>*
	%122 = load <8 x float>, <8 x float>* %121, align 4
	%123 = getelementptr inbounds float, float* %a, i64 %113
	%124 = load float, float* %123, align 4
	%125 = insertelement <8 x float> undef, float %124, i32 0
	%126 = shufflevector <8 x float> %125, <8 x float> undef, <8 x i32> zeroinitializer
	%127 = call <8 x float> @llvm.fma.v8f32(<8 x float> %126, <8 x float> %117, <8 x float> %76)
	%128 = call <8 x float> @llvm.fma.v8f32(<8 x float> %126, <8 x float> %122, <8 x float> %77)
	%129 = add i64 %113, 16
	%130 = getelementptr inbounds float, float* %a, i64 %129
	%131 = load float, float* %130, align 4
	%132 = insertelement <8 x float> undef, float %131, i32 0
	%133 = shufflevector <8 x float> %132, <8 x float> undef, <8 x i32> zeroinitializer
	%134 = call <8 x float> @llvm.fma.v8f32(<8 x float> %133, <8 x float> %117, <8 x float> %83)
	%135 = call <8 x float> @llvm.fma.v8f32(<8 x float> %133, <8 x float> %122, <8 x float> %84)
	%136 = add i64 %113, 32
	%137 = getelementptr inbounds float, float* %a, i64 %136
	%138 = load float, float* %137, align 4
	%139 = insertelement <8 x float> undef, float %138, i32 0
	%140 = shufflevector <8 x float> %139, <8 x float> undef, <8 x i32> zeroinitializer
	%141 = call <8 x float> @llvm.fma.v8f32(<8 x float> %140, <8 x float> %117, <8 x float> %90)
	%142 = call <8 x float> @llvm.fma.v8f32(<8 x float> %140, <8 x float> %122, <8 x float> %91)
	%143 = add i64 %113, 48
	%144 = getelementptr inbounds float, float* %a, i64 %143
	%145 = load float, float* %144, align 4
	%146 = insertelement <8 x float> undef, float %145, i32 0
	%147 = shufflevector <8 x float> %146, <8 x float> undef, <8 x i32> zeroinitializer
	%148 = call <8 x float> @llvm.fma.v8f32(<8 x float> %147, <8 x float> %117, <8 x float> %97)
	%149 = call <8 x float> @llvm.fma.v8f32(<8 x float> %147, <8 x float> %122, <8 x float> %98)
	%150 = add i64 %113, 64
	%151 = getelementptr inbounds float, float* %a, i64 %150
	%152 = load float, float* %151, align 4
	%153 = insertelement <8 x float> undef, float %152, i32 0
	%154 = shufflevector <8 x float> %153, <8 x float> undef, <8 x i32> zeroinitializer
	%155 = call <8 x float> @llvm.fma.v8f32(<8 x float> %154, <8 x float> %117, <8 x float> %104)
	%156 = call <8 x float> @llvm.fma.v8f32(<8 x float> %154, <8 x float> %122, <8 x float> %105)
	%157 = add i64 %113, 80
	%158 = getelementptr inbounds float, float* %a, i64 %157
	%159 = load float, float* %158, align 4
	%160 = insertelement <8 x float> undef, float %159, i32 0
	%161 = shufflevector <8 x float> %160, <8 x float> undef, <8 x i32> zeroinitializer
	%162 = call <8 x float> @llvm.fma.v8f32(<8 x float> %161, <8 x float> %117, <8 x float> %111)
	%163 = call <8 x float> @llvm.fma.v8f32(<8 x float> %161, <8 x float> %122, <8 x float> %112)
	%164 = add i64 %49, 2
	%165 = mul i64 %164, 16
	%166 = getelementptr inbounds float, float* %b, i64 %165
	%167 = bitcast float* %166 to <8 x float>*
	%168 = load <8 x float>, <8 x float>* %167, align 4
	%169 = mul i64 %164, 16
	%170 = add i64 %169, 8
	%171 = getelementptr inbounds float, float* %b, i64 %170
	%172 = bitcast float* %171 to <8 x float>*
	%173 = load <8 x float>, <8 x float>* %172, align 4
	%174 = getelementptr inbounds float, float* %a, i64 %164
	%175 = load float, float* %174, align 4
	%176 = insertelement <8 x float> undef, float %175, i32 0
	%177 = shufflevector <8 x float> %176, <8 x float> undef, <8 x i32> zeroinitializer
	%178 = call <8 x float> @llvm.fma.v8f32(<8 x float> %177, <8 x float> %168, <8 x float> %127)
	%179 = call <8 x float> @llvm.fma.v8f32(<8 x float> %177, <8 x float> %173, <8 x float> %128)
	%180 = add i64 %164, 16
	%181 = getelementptr inbounds float, float* %a, i64 %180
	%182 = load float, float* %181, align 4
	%183 = insertelement <8 x float> undef, float %182, i32 0
	%184 = shufflevector <8 x float> %183, <8 x float> undef, <8 x i32> zeroinitializer
	%185 = call <8 x float> @llvm.fma.v8f32(<8 x float> %184, <8 x float> %168, <8 x float> %134)
	%186 = call <8 x float> @llvm.fma.v8f32(<8 x float> %184, <8 x float> %173, <8 x float> %135)
	%187 = add i64 %164, 32
	%188 = getelementptr inbounds float, float* %a, i64 %187
	%189 = load float, float* %188, align 4
	%190 = insertelement <8 x float> undef, float %189, i32 0
	%191 = shufflevector <8 x float> %190, <8 x float> undef, <8 x i32> zeroinitializer
	%192 = call <8 x float> @llvm.fma.v8f32(<8 x float> %191, <8 x float> %168, <8 x float> %141)
	%193 = call <8 x float> @llvm.fma.v8f32(<8 x float> %191, <8 x float> %173, <8 x float> %142)
	%194 = add i64 %164, 48
	%195 = getelementptr inbounds float, float* %a, i64 %194
	%196 = load float, float* %195, align 4
	%197 = insertelement <8 x float> undef, float %196, i32 0
	%198 = shufflevector <8 x float> %197, <8 x float> undef, <8 x i32> zeroinitializer
	%199 = call <8 x float> @llvm.fma.v8f32(<8 x float> %198, <8 x float> %168, <8 x float> %148)
	%200 = call <8 x float> @llvm.fma.v8f32(<8 x float> %198, <8 x float> %173, <8 x float> %149)
	%201 = add i64 %164, 64
	%202 = getelementptr inbounds float, float* %a, i64 %201
	%203 = load float, float* %202, align 4
	%204 = insertelement <8 x float> undef, float %203, i32 0
	%205 = shufflevector <8 x float> %204, <8 x float> undef, <8 x i32> zeroinitializer
	%206 = call <8 x float> @llvm.fma.v8f32(<8 x float> %205, <8 x float> %168, <8 x float> %155)
	%207 = call <8 x float> @llvm.fma.v8f32(<8 x float> %205, <8 x float> %173, <8 x float> %156)
	%208 = add i64 %164, 80
	%209 = getelementptr inbounds float, float* %a, i64 %208
	%210 = load float, float* %209, align 4
	%211 = insertelement <8 x float> undef, float %210, i32 0
	%212 = shufflevector <8 x float> %211, <8 x float> undef, <8 x i32> zeroinitializer
	%213 = call <8 x float> @llvm.fma.v8f32(<8 x float> %212, <8 x float> %168, <8 x float> %162)
	%214 = call <8 x float> @llvm.fma.v8f32(<8 x float> %212, <8 x float> %173, <8 x float> %163)
	%215 = add i64 %49, 3
	%216 = mul i64 %215, 16
	%217 = getelementptr inbounds float, float* %b, i64 %216
	%218 = bitcast float* %217 to <8 x float>*
	%219 = load <8 x float>, <8 x float>* %218, align 4
	%220 = mul i64 %215, 16
	%221 = add i64 %220, 8
	%222 = getelementptr inbounds float, float* %b, i64 %221
	%223 = bitcast float* %222 to <8 x float>*
	%224 = load <8 x float>, <8 x float>* %223, align 4
	%225 = getelementptr inbounds float, float* %a, i64 %215
	%226 = load float, float* %225, align 4
	%227 = insertelement <8 x float> undef, float %226, i32 0
	%228 = shufflevector <8 x float> %227, <8 x float> undef, <8 x i32> zeroinitializer
	%229 = call <8 x float> @llvm.fma.v8f32(<8 x float> %228, <8 x float> %219, <8 x float> %178)
	%230 = call <8 x float> @llvm.fma.v8f32(<8 x float> %228, <8 x float> %224, <8 x float> %179)
	%231 = add i64 %215, 16
	%232 = getelementptr inbounds float, float* %a, i64 %231
	%233 = load float, float* %232, align 4
	%234 = insertelement <8 x float> undef, float %233, i32 0
	%235 = shufflevector <8 x float> %234, <8 x float> undef, <8 x i32> zeroinitializer
	%236 = call <8 x float> @llvm.fma.v8f32(<8 x float> %235, <8 x float> %219, <8 x float> %185)
	%237 = call <8 x float> @llvm.fma.v8f32(<8 x float> %235, <8 x float> %224, <8 x float> %186)
	%238 = add i64 %215, 32
	%239 = getelementptr inbounds float, float* %a, i64 %238
	%240 = load float, float* %239, align 4
	%241 = insertelement <8 x float> undef, float %240, i32 0
	%242 = shufflevector <8 x float> %241, <8 x float> undef, <8 x i32> zeroinitializer
	%243 = call <8 x float> @llvm.fma.v8f32(<8 x float> %242, <8 x float> %219, <8 x float> %192)
	%244 = call <8 x float> @llvm.fma.v8f32(<8 x float> %242, <8 x float> %224, <8 x float> %193)
	%245 = add i64 %215, 48
	%246 = getelementptr inbounds float, float* %a, i64 %245
	%247 = load float, float* %246, align 4
	%248 = insertelement <8 x float> undef, float %247, i32 0
	%249 = shufflevector <8 x float> %248, <8 x float> undef, <8 x i32> zeroinitializer
	%250 = call <8 x float> @llvm.fma.v8f32(<8 x float> %249, <8 x float> %219, <8 x float> %199)
	%251 = call <8 x float> @llvm.fma.v8f32(<8 x float> %249, <8 x float> %224, <8 x float> %200)
	%252 = add i64 %215, 64
	%253 = getelementptr inbounds float, float* %a, i64 %252
	%254 = load float, float* %253, align 4
	%255 = insertelement <8 x float> undef, float %254, i32 0
	%256 = shufflevector <8 x float> %255, <8 x float> undef, <8 x i32> zeroinitializer
	%257 = call <8 x float> @llvm.fma.v8f32(<8 x float> %256, <8 x float> %219, <8 x float> %206)
	%258 = call <8 x float> @llvm.fma.v8f32(<8 x float> %256, <8 x float> %224, <8 x float> %207)
	%259 = add i64 %215, 80
	%260 = getelementptr inbounds float, float* %a, i64 %259
	%261 = load float, float* %260, align 4
	%262 = insertelement <8 x float> undef, float %261, i32 0
	%263 = shufflevector <8 x float> %262, <8 x float> undef, <8 x i32> zeroinitializer
	%264 = call <8 x float> @llvm.fma.v8f32(<8 x float> %263, <8 x float> %219, <8 x float> %213)
	%265 = call <8 x float> @llvm.fma.v8f32(<8 x float> %263, <8 x float> %224, <8 x float> %214)
	%266 = add i64 %49, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%267 = phi i64 [ %48, %exit3 ], [ %331, %body5 ]
	%268 = phi <8 x float> [ %50, %exit3 ], [ %294, %body5 ]
	%269 = phi <8 x float> [ %51, %exit3 ], [ %295, %body5 ]
	%270 = phi <8 x float> [ %52, %exit3 ], [ %301, %body5 ]
	%271 = phi <8 x float> [ %53, %exit3 ], [ %302, %body5 ]
	%272 = phi <8 x float> [ %54, %exit3 ], [ %308, %body5 ]
	%273 = phi <8 x float> [ %55, %exit3 ], [ %309, %body5 ]
	%274 = phi <8 x float> [ %56, %exit3 ], [ %315, %body5 ]
	%275 = phi <8 x float> [ %57, %exit3 ], [ %316, %body5 ]
	%276 = phi <8 x float> [ %58, %exit3 ], [ %322, %body5 ]
	%277 = phi <8 x float> [ %59, %exit3 ], [ %323, %body5 ]
	%278 = phi <8 x float> [ %60, %exit3 ], [ %329, %body5 ]
	%279 = phi <8 x float> [ %61, %exit3 ], [ %330, %body5 ]
	%280 = icmp slt i64 %267, %kc
	br i1 %280, label %body5, label %exit6

body5:
	%281 = mul i64 %267, 16
	%282 = getelementptr inbounds float, float* %b, i64 %281
	%283 = bitcast float* %282 to <8 x float>*
	%284 = load <8 x float>, <8 x float>* %283, align 4
	%285 = mul i64 %267, 16
	%286 = add i64 %285, 8
	%287 = getelementptr inbounds float, float* %b, i64 %286
	%288 = bitcast float* %287 to <8 x float>*
	%289 = load <8 x float>, <8 x float>* %288, align 4
	%290 = getelementptr inbounds float, float* %a, i64 %267
	%291 = load float, float* %290, align 4
	%292 = insertelement <8 x float> undef, float %291, i32 0
	%293 = shufflevector <8 x float> %292, <8 x float> undef, <8 x i32> zeroinitializer
	%294 = call <8 x float> @llvm.fma.v8f32(<8 x float> %293, <8 x float> %284, <8 x float> %268)
	%295 = call <8 x float> @llvm.fma.v8f32(<8 x float> %293, <8 x float> %289, <8 x float> %269)
	%296 = add i64 %267, 16
	%297 = getelementptr inbounds float, float* %a, i64 %296
	%298 = load float, float* %297, align 4
	%299 = insertelement <8 x float> undef, float %298, i32 0
	%300 = shufflevector <8 x float> %299, <8 x float> undef, <8 x i32> zeroinitializer
	%301 = call <8 x float> @llvm.fma.v8f32(<8 x float> %300, <8 x float> %284, <8 x float> %270)
	%302 = call <8 x float> @llvm.fma.v8f32(<8 x float> %300, <8 x float> %289, <8 x float> %271)
	%303 = add i64 %267, 32
	%304 = getelementptr inbounds float, float* %a, i64 %303
	%305 = load float, float* %304, align 4
	%306 = insertelement <8 x float> undef, float %305, i32 0
	%307 = shufflevector <8 x float> %306, <8 x float> undef, <8 x i32> zeroinitializer
	%308 = call <8 x float> @llvm.fma.v8f32(<8 x float> %307, <8 x float> %284, <8 x float> %272)
	%309 = call <8 x float> @llvm.fma.v8f32(<8 x float> %307, <8 x float> %289, <8 x float> %273)
	%310 = add i64 %267, 48
	%311 = getelementptr inbounds float, float* %a, i64 %310
	%312 = load float, float* %311, align 4
	%313 = insertelement <8 x float> undef, float %312, i32 0
	%314 = shufflevector <8 x float> %313, <8 x float> undef, <8 x i32> zeroinitializer
	%315 = call <8 x float> @llvm.fma.v8f32(<8 x float> %314, <8 x float> %284, <8 x float> %274)
	%316 = call <8 x float> @llvm.fma.v8f32(<8 x float> %314, <8 x float> %289, <8 x float> %275)
	%317 = add i64 %267, 64
	%318 = getelementptr inbounds float, float* %a, i64 %317
	%319 = load float, float* %318, align 4
	%320 = insertelement <8 x float> undef, float %319, i32 0
	%321 = shufflevector <8 x float> %320, <8 x float> undef, <8 x i32> zeroinitializer
	%322 = call <8 x float> @llvm.fma.v8f32(<8 x float> %321, <8 x float> %284, <8 x float> %276)
	%323 = call <8 x float> @llvm.fma.v8f32(<8 x float> %321, <8 x float> %289, <8 x float> %277)
	%324 = add i64 %267, 80
	%325 = getelementptr inbounds float, float* %a, i64 %324
	%326 = load float, float* %325, align 4
	%327 = insertelement <8 x float> undef, float %326, i32 0
	%328 = shufflevector <8 x float> %327, <8 x float> undef, <8 x i32> zeroinitializer
	%329 = call <8 x float> @llvm.fma.v8f32(<8 x float> %328, <8 x float> %284, <8 x float> %278)
	%330 = call <8 x float> @llvm.fma.v8f32(<8 x float> %328, <8 x float> %289, <8 x float> %279)
	%331 = add i64 %267, 1
	br label %loop4

exit6:
	%332 = bitcast float* %c to <8 x float>*
	store <8 x float> %268, <8 x float>* %332, align 4
	%333 = getelementptr inbounds float, float* %c, i64 8
	%334 = bitcast float* %333 to <8 x float>*
	store <8 x float> %269, <8 x float>* %334, align 4
	%335 = getelementptr inbounds float, float* %c, i64 24
	%336 = bitcast float* %335 to <8 x float>*
	store <8 x float> %270, <8 x float>* %336, align 4
	%337 = getelementptr inbounds float, float* %c, i64 32
	%338 = bitcast float* %337 to <8 x float>*
	store <8 x float> %271, <8 x float>* %338, align 4
	%339 = getelementptr inbounds float, float* %c, i64 48
	%340 = bitcast float* %339 to <8 x float>*
	store <8 x float> %272, <8 x float>* %340, align 4
	%341 = getelementptr inbounds float, float* %c, i64 56
	%342 = bitcast float* %341 to <8 x float>*
	store <8 x float> %273, <8 x float>* %342, align 4
	%343 = getelementptr inbounds float, float* %c, i64 72
	%344 = bitcast float* %343 to <8 x float>*
	store <8 x float> %274, <8 x float>* %344, align 4
	%345 = getelementptr inbounds float, float* %c, i64 80
	%346 = bitcast float* %345 to <8 x float>*
	store <8 x float> %275, <8 x float>* %346, align 4
	%347 = getelementptr inbounds float, float* %c, i64 96
	%348 = bitcast float* %347 to <8 x float>*
	store <8 x float> %276, <8 x float>* %348, align 4
	%349 = getelementptr inbounds float, float* %c, i64 104
	%350 = bitcast float* %349 to <8 x float>*
	store <8 x float> %277, <8 x float>* %350, align 4
	%351 = getelementptr inbounds float, float* %c, i64 120
	%352 = bitcast float* %351 to <8 x float>*
	store <8 x float> %278, <8 x float>* %352, align 4
	%353 = getelementptr inbounds float, float* %c, i64 128
	%354 = bitcast float* %353 to <8 x float>*
	store <8 x float> %279, <8 x float>* %354, align 4
	ret void
}

define internal void @planc_mk_6x8_rs16_cs1_ldb16_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = getelementptr inbounds float, float* %c, i64 24
	%4 = bitcast float* %3 to <8 x float>*
	%5 = load <8 x float>, <8 x float>* %4, align 4
	%6 = select i1 %loadc, <8 x float> %5, <8 x float> zeroinitializer
	%7 = getelementptr inbounds float, float* %c, i64 48
	%8 = bitcast float* %7 to <8 x float>*
	%9 = load <8 x float>, <8 x float>* %8, align 4
	%10 = select i1 %loadc, <8 x float> %9, <8 x float> zeroinitializer
	%11 = getelementptr inbounds float, float* %c, i64 72
	%12 = bitcast float* %11 to <8 x float>*
	%13 = load <8 x float>, <8 x float>* %12, align 4
	%14 = select i1 %loadc, <8 x float> %13, <8 x float> zeroinitializer
	%15 = getelementptr inbounds float, float* %c, i64 96
	%16 = bitcast float* %15 to <8 x float>*
	%17 = load <8 x float>, <8 x float>* %16, align 4
	%18 = select i1 %loadc, <8 x float> %17, <8 x float> zeroinitializer
	%19 = getelementptr inbounds float, float* %c, i64 120
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = select i1 %loadc, <8 x float> %21, <8 x float> zeroinitializer
	%23 = sdiv i64 %kc, 4
	%24 = mul i64 %23, 4
	br label %loop1

loop1:
	%25 = phi i64 [ 0, %entry ], [ %192, %body2 ]
	%26 = phi <8 x float> [ %2, %entry ], [ %161, %body2 ]
	%27 = phi <8 x float> [ %6, %entry ], [ %167, %body2 ]
	%28 = phi <8 x float> [ %10, %entry ], [ %173, %body2 ]
	%29 = phi <8 x float> [ %14, %entry ], [ %179, %body2 ]
	%30 = phi <8 x float> [ %18, %entry ], [ %185, %body2 ]
	%31 = phi <8 x float> [ %22, %entry ], [ %191, %body2 ]
	%32 = icmp slt i64 %25, %24
	br i1 %32, label %body2, label %exit3

body2:
	%33 = mul i64 %25, 16
	%34 = getelementptr inbounds float, float* %b, i64 %33
	%35 = bitcast float* %34 to <8 x float>*
	%36 = load <8 x float>, <8 x float>* %35, align 4
	%37 = getelementptr inbounds float, float* %a, i64 %25
	%38 = load float, float* %37, align 4
	%39 = insertelement <8 x float> undef, float %38, i32 0
	%40 = shufflevector <8 x float> %39, <8 x float> undef, <8 x i32> zeroinitializer
	%41 = call <8 x float> @llvm.fma.v8f32(<8 x float> %40, <8 x float> %36, <8 x float> %26)
	%42 = add i64 %25, 16
	%43 = getelementptr inbounds float, float* %a, i64 %42
	%44 = load float, float* %43, align 4
	%45 = insertelement <8 x float> undef, float %44, i32 0
	%46 = shufflevector <8 x float> %45, <8 x float> undef, <8 x i32> zeroinitializer
	%47 = call <8 x float> @llvm.fma.v8f32(<8 x float> %46, <8 x float> %36, <8 x float> %27)
	%48 = add i64 %25, 32
	%49 = getelementptr inbounds float, float* %a, i64 %48
	%50 = load float, float* %49, align 4
	%51 = insertelement <8 x float> undef, float %50, i32 0
	%52 = shufflevector <8 x float> %51, <8 x float> undef, <8 x i32> zeroinitializer
	%53 = call <8 x float> @llvm.fma.v8f32(<8 x float> %52, <8 x float> %36, <8 x float> %28)
	%54 = add i64 %25, 48
	%55 = getelementptr inbounds float, float* %a, i64 %54
	%56 = load float, float* %55, align 4
	%57 = insertelement <8 x float> undef, float %56, i32 0
	%58 = shufflevector <8 x float> %57, <8 x float> undef, <8 x i32> zeroinitializer
	%59 = call <8 x float> @llvm.fma.v8f32(<8 x float> %58, <8 x float> %36, <8 x float> %29)
	%60 = add i64 %25, 64
	%61 = getelementptr inbounds float, float* %a, i64 %60
	%62 = load float, float* %61, align 4
	%63 = insertelement <8 x float> undef, float %62, i32 0
	%64 = shufflevector <8 x float> %63, <8 x float> undef, <8 x i32> zeroinitializer
	%65 = call <8 x float> @llvm.fma.v8f32(<8 x float> %64, <8 x float> %36, <8 x float> %30)
	%66 = add i64 %25, 80
	%67 = getelementptr inbounds float, float* %a, i64 %66
	%68 = load float, float* %67, align 4
	%69 = insertelement <8 x float> undef, float %68, i32 0
	%70 = shufflevector <8 x float> %69, <8 x float> undef, <8 x i32> zeroinitializer
	%71 = call <8 x float> @llvm.fma.v8f32(<8 x float> %70, <8 x float> %36, <8 x float> %31)
	%72 = add i64 %25, 1
	%73 = mul i64 %72, 16
	%74 = getelementptr inbounds float, float* %b, i64 %73
	%75 = bitcast float* %74 to <8 x float>*
	%76 = load <8 x float>, <8 x float>* %75, align 4
	%77 = getelementptr inbounds float, float* %a, i64 %72
	%78 = load float, float* %77, align 4
	%79 = insertelement <8 x float> undef, float %78, i32 0
	%80 = shufflevector <8 x float> %79, <8 x float> undef, <8 x i32> zeroinitializer
	%81 = call <8 x float> @llvm.fma.v8f32(<8 x float> %80, <8 x float> %76, <8 x float> %41)
	%82 = add i64 %72, 16
	%83 = getelementptr inbounds float, float* %a, i64 %82
	%84 = load float, float* %83, align 4
	%85 = insertelement <8 x float> undef, float %84, i32 0
	%86 = shufflevector <8 x float> %85, <8 x float> undef, <8 x i32> zeroinitializer
	%87 = call <8 x float> @llvm.fma.v8f32(<8 x float> %86, <8 x float> %76, <8 x float> %47)
	%88 = add i64 %72, 32
	%89 = getelementptr inbounds float, float* %a, i64 %88
	%90 = load float, float* %89, align 4
	%91 = insertelement <8 x float> undef, float %90, i32 0
	%92 = shufflevector <8 x float> %91, <8 x float> undef, <8 x i32> zeroinitializer
	%93 = call <8 x float> @llvm.fma.v8f32(<8 x float> %92, <8 x float> %76, <8 x float> %53)
	%94 = add i64 %72, 48
	%95 = getelementptr inbounds float, float* %a, i64 %94
	%96 = load float, float* %95, align 4
	%97 = insertelement <8 x float> undef, float %96, i32 0
	%98 = shufflevector <8 x float> %97, <8 x float> undef, <8 x i32> zeroinitializer
	%99 = call <8 x float> @llvm.fma.v8f32(<8 x float> %98, <8 x float> %76, <8 x float> %59)
	%100 = add i64 %72, 64
	%101 = getelementptr inbounds float, float* %a, i64 %100
	%102 = load float, float* %101, align 4
	%103 = insertelement <8 x float> undef, float %102, i32 0
	%104 = shufflevector <8 x float> %103, <8 x float> undef, <8 x i32> zeroinitializer
	%105 = call <8 x float> @llvm.fma.v8f32(<8 x float> %104, <8 x float> %76, <8 x float> %65)
	%106 = add i64 %72, 80
	%107 = getelementptr inbounds float, float* %a, i64 %106
	%108 = load float, float* %107, align 4
	%109 = insertelement <8 x float> undef, float %108, i32 0
	%110 = shufflevector <8 x float> %109, <8 x float> undef, <8 x i32> zeroinitializer
	%111 = call <8 x float> @llvm.fma.v8f32(<8 x float> %110, <8 x float> %76, <8 x float> %71)
	%112 = add i64 %25, 2
	%113 = mul i64 %112, 16
	%114 = getelementptr inbounds float, float* %b, i64 %113
	%115 = bitcast float* %114 to <8 x float>*
	%116 = load <8 x float>, <8 x float>* %115, align 4
	%117 = getelementptr inbounds float, float* %a, i64 %112
	%118 = load float, float* %117, align 4
	%119 = insertelement <8 x float> undef, float %118, i32 0
	%120 = shufflevector <8 x float> %119, <8 x float> undef, <8 x i32> zeroinitializer
	%121 = call <8 x float> @llvm.fma.v8f32(<8 x float> %120, <8 x float> %116, <8 x float> %81)
	%122 = add i64 %112, 16
	%123 = getelementptr inbounds float, float* %a, i64 %122
	%124 = load float, float* %123, align 4
	%125 = insertelement <8 x float> undef, float %124, i32 0
	%126 = shufflevector <8 x float> %125, <8 x float> undef, <8 x i32> zeroinitializer
	%127 = call <8 x float> @llvm.fma.v8f32(<8 x float> %126, <8 x float> %116, <8 x float> %87)
	%128 = add i64 %112, 32
	%129 = getelementptr inbounds float, float* %a, i64 %128
	%130 = load float, float* %129, align 4
	%131 = insertelement <8 x float> undef, float %130, i32 0
	%132 = shufflevector <8 x float> %131, <8 x float> undef, <8 x i32> zeroinitializer
	%133 = call <8 x float> @llvm.fma.v8f32(<8 x float> %132, <8 x float> %116, <8 x float> %93)
	%134 = add i64 %112, 48
	%135 = getelementptr inbounds float, float* %a, i64 %134
	%136 = load float, float* %135, align 4
	%137 = insertelement <8 x float> undef, float %136, i32 0
	%138 = shufflevector <8 x float> %137, <8 x float> undef, <8 x i32> zeroinitializer
	%139 = call <8 x float> @llvm.fma.v8f32(<8 x float> %138, <8 x float> %116, <8 x float> %99)
	%140 = add i64 %112, 64
	%141 = getelementptr inbounds float, float* %a, i64 %140
	%142 = load float, float* %141, align 4
	%143 = insertelement <8 x float> undef, float %142, i32 0
	%144 = shufflevector <8 x float> %143, <8 x float> undef, <8 x i32> zeroinitializer
	%145 = call <8 x float> @llvm.fma.v8f32(<8 x float> %144, <8 x float> %116, <8 x float> %105)
	%146 = add i64 %112, 80
	%147 = getelementptr inbounds float, float* %a, i64 %146
	%148 = load float, float* %147, align 4
	%149 = insertelement <8 x float> undef, float %148, i32 0
	%150 = shufflevector <8 x float> %149, <8 x float> undef, <8 x i32> zeroinitializer
	%151 = call <8 x float> @llvm.fma.v8f32(<8 x float> %150, <8 x float> %116, <8 x float> %111)
	%152 = add i64 %25, 3
	%153 = mul i64 %152, 16
	%154 = getelementptr inbounds float, float* %b, i64 %153
	%155 = bitcast float* %154 to <8 x float>*
	%156 = load <8 x float>, <8 x float>* %155, align 4
	%157 = getelementptr inbounds float, float* %a, i64 %152
	%158 = load float, float* %157, align 4
	%159 = insertelement <8 x float> undef, float %158, i32 0
	%160 = shufflevector <8 x float> %159, <8 x float> undef, <8 x i32> zeroinitializer
	%161 = call <8 x float> @llvm.fma.v8f32(<8 x float> %160, <8 x float> %156, <8 x float> %121)
	%162 = add i64 %152, 16
	%163 = getelementptr inbounds float, float* %a, i64 %162
	%164 = load float, float* %163, align 4
	%165 = insertelement <8 x float> undef, float %164, i32 0
	%166 = shufflevector <8 x float> %165, <8 x float> undef, <8 x i32> zeroinitializer
	%167 = call <8 x float> @llvm.fma.v8f32(<8 x float> %166, <8 x float> %156, <8 x float> %127)
	%168 = add i64 %152, 32
	%169 = getelementptr inbounds float, float* %a, i64 %168
	%170 = load float, float* %169, align 4
	%171 = insertelement <8 x float> undef, float %170, i32 0
	%172 = shufflevector <8 x float> %171, <8 x float> undef, <8 x i32> zeroinitializer
	%173 = call <8 x float> @llvm.fma.v8f32(<8 x float> %172, <8 x float> %156, <8 x float> %133)
	%174 = add i64 %152, 48
	%175 = getelementptr inbounds float, float* %a, i64 %174
	%176 = load float, float* %175, align 4
	%177 = insertelement <8 x float> undef, float %176, i32 0
	%178 = shufflevector <8 x float> %177, <8 x float> undef, <8 x i32> zeroinitializer
	%179 = call <8 x float> @llvm.fma.v8f32(<8 x float> %178, <8 x float> %156, <8 x float> %139)
	%180 = add i64 %152, 64
	%181 = getelementptr inbounds float, float* %a, i64 %180
	%182 = load float, float* %181, align 4
	%183 = insertelement <8 x float> undef, float %182, i32 0
	%184 = shufflevector <8 x float> %183, <8 x float> undef, <8 x i32> zeroinitializer
	%185 = call <8 x float> @llvm.fma.v8f32(<8 x float> %184, <8 x float> %156, <8 x float> %145)
	%186 = add i64 %152, 80
	%187 = getelementptr inbounds float, float* %a, i64 %186
	%188 = load float, float* %187, align 4
	%189 = insertelement <8 x float> undef, float %188, i32 0
	%190 = shufflevector <8 x float> %189, <8 x float> undef, <8 x i32> zeroinitializer
	%191 = call <8 x float> @llvm.fma.v8f32(<8 x float> %190, <8 x float> %156, <8 x float> %151)
	%192 = add i64 %25, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%193 = phi i64 [ %24, %exit3 ], [ %240, %body5 ]
	%194 = phi <8 x float> [ %26, %exit3 ], [ %209, %body5 ]
	%195 = phi <8 x float> [ %27, %exit3 ], [ %215, %body5 ]
	%196 = phi <8 x float> [ %28, %exit3 ], [ %221, %body5 ]
	%197 = phi <8 x float> [ %29, %exit3 ], [ %227, %body5 ]
	%198 = phi <8 x float> [ %30, %exit3 ], [ %233, %body5 ]
	%199 = phi <8 x float> [ %31, %exit3 ], [ %239, %body5 ]
	%200 = icmp slt i64 %193, %kc
	br i1 %200, label %body5, label %exit6

body5:
	%201 = mul i64 %193, 16
	%202 = getelementptr inbounds float, float* %b, i64 %201
	%203 = bitcast float* %202 to <8 x float>*
	%204 = load <8 x float>, <8 x float>* %203, align 4
	%205 = getelementptr inbounds float, float* %a, i64 %193
	%206 = load float, float* %205, align 4
	%207 = insertelement <8 x float> undef, float %206, i32 0
	%208 = shufflevector <8 x float> %207, <8 x float> undef, <8 x i32> zeroinitializer
	%209 = call <8 x float> @llvm.fma.v8f32(<8 x float> %208, <8 x float> %204, <8 x float> %194)
	%210 = add i64 %193, 16
	%211 = getelementptr inbounds float, float* %a, i64 %210
	%212 = load float, float* %211, align 4
	%213 = insertelement <8 x float> undef, float %212, i32 0
	%214 = shufflevector <8 x float> %213, <8 x float> undef, <8 x i32> zeroinitializer
	%215 = call <8 x float> @llvm.fma.v8f32(<8 x float> %214, <8 x float> %204, <8 x float> %195)
	%216 = add i64 %193, 32
	%217 = getelementptr inbounds float, float* %a, i64 %216
	%218 = load float, float* %217, align 4
	%219 = insertelement <8 x float> undef, float %218, i32 0
	%220 = shufflevector <8 x float> %219, <8 x float> undef, <8 x i32> zeroinitializer
	%221 = call <8 x float> @llvm.fma.v8f32(<8 x float> %220, <8 x float> %204, <8 x float> %196)
	%222 = add i64 %193, 48
	%223 = getelementptr inbounds float, float* %a, i64 %222
	%224 = load float, float* %223, align 4
	%225 = insertelement <8 x float> undef, float %224, i32 0
	%226 = shufflevector <8 x float> %225, <8 x float> undef, <8 x i32> zeroinitializer
	%227 = call <8 x float> @llvm.fma.v8f32(<8 x float> %226, <8 x float> %204, <8 x float> %197)
	%228 = add i64 %193, 64
	%229 = getelementptr inbounds float, float* %a, i64 %228
	%230 = load float, float* %229, align 4
	%231 = insertelement <8 x float> undef, float %230, i32 0
	%232 = shufflevector <8 x float> %231, <8 x float> undef, <8 x i32> zeroinitializer
	%233 = call <8 x float> @llvm.fma.v8f32(<8 x float> %232, <8 x float> %204, <8 x float> %198)
	%234 = add i64 %193, 80
	%235 = getelementptr inbounds float, float* %a, i64 %234
	%236 = load float, float* %235, align 4
	%237 = insertelement <8 x float> undef, float %236, i32 0
	%238 = shufflevector <8 x float> %237, <8 x float> undef, <8 x i32> zeroinitializer
	%239 = call <8 x float> @llvm.fma.v8f32(<8 x float> %238, <8 x float> %204, <8 x float> %199)
	%240 = add i64 %193, 1
	br label %loop4

exit6:
	%241 = bitcast float* %c to <8 x float>*
	store <8 x float> %194, <8 x float>* %241, align 4
	%242 = getelementptr inbounds float, float* %c, i64 24
	%243 = bitcast float* %242 to <8 x float>*
	store <8 x float> %195, <8 x float>* %243, align 4
	%244 = getelementptr inbounds float, float* %c, i64 48
	%245 = bitcast float* %244 to <8 x float>*
	store <8 x float> %196, <8 x float>* %245, align 4
	%246 = getelementptr inbounds float, float* %c, i64 72
	%247 = bitcast float* %246 to <8 x float>*
	store <8 x float> %197, <8 x float>* %247, align 4
	%248 = getelementptr inbounds float, float* %c, i64 96
	%249 = bitcast float* %248 to <8 x float>*
	store <8 x float> %198, <8 x float>* %249, align 4
	%250 = getelementptr inbounds float, float* %c, i64 120
	%251 = bitcast float* %250 to <8 x float>*
	store <8 x float> %199, <8 x float>* %251, align 4
	ret void
}

define internal void @planc_mk_1x16_rs16_cs1_ldb16_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = getelementptr inbounds float, float* %c, i64 8
	%4 = bitcast float* %3 to <8 x float>*
	%5 = load <8 x float>, <8 x float>* %4, align 4
	%6 = select i1 %loadc, <8 x float> %5, <8 x float> zeroinitializer
	%7 = sdiv i64 %kc, 4
	%8 = mul i64 %7, 4
	br label %loop1

loop1:
	%9 = phi i64 [ 0, %entry ], [ %76, %body2 ]
	%10 = phi <8 x float> [ %2, %entry ], [ %74, %body2 ]
	%11 = phi <8 x float> [ %6, %entry ], [ %75, %body2 ]
	%12 = icmp slt i64 %9, %8
	br i1 %12, label %body2, label %exit3

body2:
	%13 = mul i64 %9, 16
	%14 = getelementptr inbounds float, float* %b, i64 %13
	%15 = bitcast float* %14 to <8 x float>*
	%16 = load <8 x float>, <8 x float>* %15, align 4
	%17 = mul i64 %9, 16
	%18 = add i64 %17, 8
	%19 = getelementptr inbounds float, float* %b, i64 %18
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = getelementptr inbounds float, float* %a, i64 %9
	%23 = load float, float* %22, align 4
	%24 = insertelement <8 x float> undef, float %23, i32 0
	%25 = shufflevector <8 x float> %24, <8 x float> undef, <8 x i32> zeroinitializer
	%26 = call <8 x float> @llvm.fma.v8f32(<8 x float> %25, <8 x float> %16, <8 x float> %10)
	%27 = call <8 x float> @llvm.fma.v8f32(<8 x float> %25, <8 x float> %21, <8 x float> %11)
	%28 = add i64 %9, 1
	%29 = mul i64 %28, 16
	%30 = getelementptr inbounds float, float* %b, i64 %29
	%31 = bitcast float* %30 to <8 x float>*
	%32 = load <8 x float>, <8 x float>* %31, align 4
	%33 = mul i64 %28, 16
	%34 = add i64 %33, 8
	%35 = getelementptr inbounds float, float* %b, i64 %34
	%36 = bitcast float* %35 to <8 x float>*
	%37 = load <8 x float>, <8 x float>* %36, align 4
	%38 = getelementptr inbounds float, float* %a, i64 %28
	%39 = load float, float* %38, align 4
	%40 = insertelement <8 x float> undef, float %39, i32 0
	%41 = shufflevector <8 x float> %40, <8 x float> undef, <8 x i32> zeroinitializer
	%42 = call <8 x float> @llvm.fma.v8f32(<8 x float> %41, <8 x float> %32, <8 x float> %26)
	%43 = call <8 x float> @llvm.fma.v8f32(<8 x float> %41, <8 x float> %37, <8 x float> %27)
	%44 = add i64 %9, 2
	%45 = mul i64 %44, 16
	%46 = getelementptr inbounds float, float* %b, i64 %45
	%47 = bitcast float* %46 to <8 x float>*
	%48 = load <8 x float>, <8 x float>* %47, align 4
	%49 = mul i64 %44, 16
	%50 = add i64 %49, 8
	%51 = getelementptr inbounds float, float* %b, i64 %50
	%52 = bitcast float* %51 to <8 x float>*
	%53 = load <8 x float>, <8 x float>* %52, align 4
	%54 = getelementptr inbounds float, float* %a, i64 %44
	%55 = load float, float* %54, align 4
	%56 = insertelement <8 x float> undef, float %55, i32 0
	%57 = shufflevector <8 x float> %56, <8 x float> undef, <8 x i32> zeroinitializer
	%58 = call <8 x float> @llvm.fma.v8f32(<8 x float> %57, <8 x float> %48, <8 x float> %42)
	%59 = call <8 x float> @llvm.fma.v8f32(<8 x float> %57, <8 x float> %53, <8 x float> %43)
	%60 = add i64 %9, 3
	%61 = mul i64 %60, 16
	%62 = getelementptr inbounds float, float* %b, i64 %61
	%63 = bitcast float* %62 to <8 x float>*
	%64 = load <8 x float>, <8 x float>* %63, align 4
	%65 = mul i64 %60, 16
	%66 = add i64 %65, 8
	%67 = getelementptr inbounds float, float* %b, i64 %66
	%68 = bitcast float* %67 to <8 x float>*
	%69 = load <8 x float>, <8 x float>* %68, align 4
	%70 = getelementptr inbounds float, float* %a, i64 %60
	%71 = load float, float* %70, align 4
	%72 = insertelement <8 x float> undef, float %71, i32 0
	%73 = shufflevector <8 x float> %72, <8 x float> undef, <8 x i32> zeroinitializer
	%74 = call <8 x float> @llvm.fma.v8f32(<8 x float> %73, <8 x float> %64, <8 x float> %58)
	%75 = call <8 x float> @llvm.fma.v8f32(<8 x float> %73, <8 x float> %69, <8 x float> %59)
	%76 = add i64 %9, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%77 = phi i64 [ %8, %exit3 ], [ %96, %body5 ]
	%78 = phi <8 x float> [ %10, %exit3 ], [ %94, %body5 ]
	%79 = phi <8 x float> [ %11, %exit3 ], [ %95, %body5 ]
	%80 = icmp slt i64 %77, %kc
	br i1 %80, label %body5, label %exit6

body5:
	%81 = mul i64 %77, 16
	%82 = getelementptr inbounds float, float* %b, i64 %81
	%83 = bitcast float* %82 to <8 x float>*
	%84 = load <8 x float>, <8 x float>* %83, align 4
	%85 = mul i64 %77, 16
	%86 = add i64 %85, 8
	%87 = getelementptr inbounds float, float* %b, i64 %86
	%88 = bitcast float* %87 to <8 x float>*
	%89 = load <8 x float>, <8 x float>* %88, align 4
	%90 = getelementptr inbounds float, float* %a, i64 %77
	%91 = load float, float* %90, align 4
	%92 = insertelement <8 x float> undef, float %91, i32 0
	%93 = shufflevector <8 x float> %92, <8 x float> undef, <8 x i32> zeroinitializer
	%94 = call <8 x float> @llvm.fma.v8f32(<8 x float> %93, <8 x float> %84, <8 x float> %78)
	%95 = call <8 x float> @llvm.fma.v8f32(<8 x float> %93, <8 x float> %89, <8 x float> %79)
	%96 = add i64 %77, 1
	br label %loop4

exit6:
	%97 = bitcast float* %c to <8 x float>*
	store <8 x float> %78, <8 x float>* %97, align 4
	%98 = getelementptr inbounds float, float* %c, i64 8
	%99 = bitcast float* %98 to <8 x float>*
	store <8 x float> %79, <8 x float>* %99, align 4
	ret void
}

define internal void @planc_mk_1x8_rs16_cs1_ldb16_ldc24(float* noalias %a, float* noalias %b, float* noalias %c, i64 %kc, i1 %loadc) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = bitcast float* %c to <8 x float>*
	%1 = load <8 x float>, <8 x float>* %0, align 4
	%2 = select i1 %loadc, <8 x float> %1, <8 x float> zeroinitializer
	%3 = sdiv i64 %kc, 4
	%4 = mul i64 %3, 4
	br label %loop1

loop1:
	%5 = phi i64 [ 0, %entry ], [ %47, %body2 ]
	%6 = phi <8 x float> [ %2, %entry ], [ %46, %body2 ]
	%7 = icmp slt i64 %5, %4
	br i1 %7, label %body2, label %exit3

body2:
	%8 = mul i64 %5, 16
	%9 = getelementptr inbounds float, float* %b, i64 %8
	%10 = bitcast float* %9 to <8 x float>*
	%11 = load <8 x float>, <8 x float>* %10, align 4
	%12 = getelementptr inbounds float, float* %a, i64 %5
	%13 = load float, float* %12, align 4
	%14 = insertelement <8 x float> undef, float %13, i32 0
	%15 = shufflevector <8 x float> %14, <8 x float> undef, <8 x i32> zeroinitializer
	%16 = call <8 x float> @llvm.fma.v8f32(<8 x float> %15, <8 x float> %11, <8 x float> %6)
	%17 = add i64 %5, 1
	%18 = mul i64 %17, 16
	%19 = getelementptr inbounds float, float* %b, i64 %18
	%20 = bitcast float* %19 to <8 x float>*
	%21 = load <8 x float>, <8 x float>* %20, align 4
	%22 = getelementptr inbounds float, float* %a, i64 %17
	%23 = load float, float* %22, align 4
	%24 = insertelement <8 x float> undef, float %23, i32 0
	%25 = shufflevector <8 x float> %24, <8 x float> undef, <8 x i32> zeroinitializer
	%26 = call <8 x float> @llvm.fma.v8f32(<8 x float> %25, <8 x float> %21, <8 x float> %16)
	%27 = add i64 %5, 2
	%28 = mul i64 %27, 16
	%29 = getelementptr inbounds float, float* %b, i64 %28
	%30 = bitcast float* %29 to <8 x float>*
	%31 = load <8 x float>, <8 x float>* %30, align 4
	%32 = getelementptr inbounds float, float* %a, i64 %27
	%33 = load float, float* %32, align 4
	%34 = insertelement <8 x float> undef, float %33, i32 0
	%35 = shufflevector <8 x float> %34, <8 x float> undef, <8 x i32> zeroinitializer
	%36 = call <8 x float> @llvm.fma.v8f32(<8 x float> %35, <8 x float> %31, <8 x float> %26)
	%37 = add i64 %5, 3
	%38 = mul i64 %37, 16
	%39 = getelementptr inbounds float, float* %b, i64 %38
	%40 = bitcast float* %39 to <8 x float>*
	%41 = load <8 x float>, <8 x float>* %40, align 4
	%42 = getelementptr inbounds float, float* %a, i64 %37
	%43 = load float, float* %42, align 4
	%44 = insertelement <8 x float> undef, float %43, i32 0
	%45 = shufflevector <8 x float> %44, <8 x float> undef, <8 x i32> zeroinitializer
	%46 = call <8 x float> @llvm.fma.v8f32(<8 x float> %45, <8 x float> %41, <8 x float> %36)
	%47 = add i64 %5, 4
	br label %loop1

exit3:
	br label %loop4

loop4:
	%48 = phi i64 [ %4, %exit3 ], [ %60, %body5 ]
	%49 = phi <8 x float> [ %6, %exit3 ], [ %59, %body5 ]
	%50 = icmp slt i64 %48, %kc
	br i1 %50, label %body5, label %exit6

body5:
	%51 = mul i64 %48, 16
	%52 = getelementptr inbounds float, float* %b, i64 %51
	%53 = bitcast float* %52 to <8 x float>*
	%54 = load <8 x float>, <8 x float>* %53, align 4
	%55 = getelementptr inbounds float, float* %a, i64 %48
	%56 = load float, float* %55, align 4
	%57 = insertelement <8 x float> undef, float %56, i32 0
	%58 = shufflevector <8 x float> %57, <8 x float> undef, <8 x i32> zeroinitializer
	%59 = call <8 x float> @llvm.fma.v8f32(<8 x float> %58, <8 x float> %54, <8 x float> %49)
	%60 = add i64 %48, 1
	br label %loop4

exit6:
	%61 = bitcast float* %c to <8 x float>*
	store <8 x float> %49, <8 x float>* %61, align 4
	ret void
}

define void @layernorm_fwd_r4_w8(float* nocapture %x, float* nocapture %gamma, float* nocapture %beta, float* nocapture %y, float* nocapture %mean, float* nocapture %rstd, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, 4
	%1 = select i1 %0, i64 %hi, i64 4
	br label %loop1

loop1:
	%2 = phi i64 [ %lo, %entry ], [ %45, %exit12 ]
	%3 = icmp slt i64 %2, %1
	br i1 %3, label %body2, label %exit3

body2:
	%4 = mul i64 %2, 8
	br label %loop4

exit3:
	ret void

loop4:
	%5 = phi i64 [ 0, %body2 ], [ %12, %body5 ]
	%6 = phi float [ 0.0, %body2 ], [ %11, %body5 ]
	%7 = icmp slt i64 %5, 8
	br i1 %7, label %body5, label %exit6

body5:
	%8 = add i64 %4, %5
	%9 = getelementptr inbounds float, float* %x, i64 %8
	%10 = load float, float* %9, align 4
	%11 = fadd float %6, %10
	%12 = add i64 %5, 1
	br label %loop4

exit6:
	%13 = fmul float %6, 0.125
	br label %loop7

loop7:
	%14 = phi i64 [ 0, %exit6 ], [ %23, %body8 ]
	%15 = phi float [ 0.0, %exit6 ], [ %22, %body8 ]
	%16 = icmp slt i64 %14, 8
	br i1 %16, label %body8, label %exit9

body8:
	%17 = add i64 %4, %14
	%18 = getelementptr inbounds float, float* %x, i64 %17
	%19 = load float, float* %18, align 4
	%20 = fsub float %19, %13
	%21 = fmul float %20, %20
	%22 = fadd float %15, %21
	%23 = add i64 %14, 1
	br label %loop7

exit9:
	%24 = fmul float %15, 0.125
	%25 = fadd float %24, 0x3EE4F8B580000000
	%26 = call float @llvm.sqrt.f32(float %25)
	%27 = fdiv float 1.0, %26
	br label %loop10

loop10:
	%28 = phi i64 [ 0, %exit9 ], [ %42, %body11 ]
	%29 = icmp slt i64 %28, 8
	br i1 %29, label %body11, label %exit12

body11:
	%30 = add i64 %4, %28
	%31 = getelementptr inbounds float, float* %x, i64 %30
	%32 = load float, float* %31, align 4
	%33 = fsub float %32, %13
	%34 = fmul float %33, %27
	%35 = getelementptr inbounds float, float* %gamma, i64 %28
	%36 = load float, float* %35, align 4
	%37 = fmul float %34, %36
	%38 = getelementptr inbounds float, float* %beta, i64 %28
	%39 = load float, float* %38, align 4
	%40 = fadd float %37, %39
	%41 = getelementptr inbounds float, float* %y, i64 %30
	store float %40, float* %41, align 4
	%42 = add i64 %28, 1
	br label %loop10

exit12:
	%43 = getelementptr inbounds float, float* %mean, i64 %2
	store float %13, float* %43, align 4
	%44 = getelementptr inbounds float, float* %rstd, i64 %2
	store float %27, float* %44, align 4
	%45 = add i64 %2, 1
	br label %loop1
}

declare float @llvm.sqrt.f32(float %0)

define void @gelu_fwd_n32(float* nocapture %x, float* nocapture %y, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, 32
	%1 = select i1 %0, i64 %hi, i64 32
	br label %loop1

loop1:
	%2 = phi i64 [ %lo, %entry ], [ %40, %body2 ]
	%3 = icmp slt i64 %2, %1
	br i1 %3, label %body2, label %exit3

body2:
	%4 = getelementptr inbounds float, float* %x, i64 %2
	%5 = load float, float* %4, align 4
	%6 = fmul float %5, %5
	%7 = fmul float %6, %5
	%8 = fmul float 0x3FA6E4E260000000, %7
	%9 = fadd float %5, %8
	%10 = fmul float 0x3FE9884540000000, %9
	%11 = fcmp ogt float %10, 0xC01F9F09E0000000
	%12 = select i1 %11, float %10, float 0xC01F9F09E0000000
	%13 = fcmp olt float %12, 0x401F9F09E0000000
	%14 = select i1 %13, float %12, float 0x401F9F09E0000000
	%15 = fmul float %14, %14
	%16 = fmul float 0xBCB3E4B800000000, %15
	%17 = fadd float %16, 0x3D4C266FC0000000
	%18 = fmul float %17, %15
	%19 = fadd float %18, 0xBDD7A6FFE0000000
	%20 = fmul float %19, %15
	%21 = fadd float %20, 0x3E6B800820000000
	%22 = fmul float %21, %15
	%23 = fadd float %22, 0x3EEF286940000000
	%24 = fmul float %23, %15
	%25 = fadd float %24, 0x3F44E1BDA0000000
	%26 = fmul float %25, %15
	%27 = fadd float %26, 0x3F740B3B80000000
	%28 = fmul float %27, %14
	%29 = fmul float 0x3EB41A7B00000000, %15
	%30 = fadd float %29, 0x3F1F12BAC0000000
	%31 = fmul float %30, %15
	%32 = fadd float %31, 0x3F629540A0000000
	%33 = fmul float %32, %15
	%34 = fadd float %33, 0x3F740B3BA0000000
	%35 = fdiv float %28, %34
	%36 = fmul float 0.5, %5
	%37 = fadd float 1.0, %35
	%38 = fmul float %36, %37
	%39 = getelementptr inbounds float, float* %y, i64 %2
	store float %38, float* %39, align 4
	%40 = add i64 %2, 1
	br label %loop1

exit3:
	ret void
}

define void @attention_fwd_b1_h2_q4_k4_d8(float* nocapture noalias %q, float* nocapture noalias %k, float* nocapture noalias %v, float* nocapture noalias %o, float* nocapture noalias %lse, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, 2
	%1 = select i1 %0, i64 %hi, i64 2
	%2 = alloca [64 x float], align 64
	%3 = bitcast [64 x float]* %2 to float*
	br label %loop1

loop1:
	%4 = phi i64 [ 0, %entry ], [ %8, %body2 ]
	%5 = icmp slt i64 %4, 64
	br i1 %5, label %body2, label %exit3

body2:
	%6 = getelementptr inbounds float, float* %3, i64 %4
	%7 = bitcast float* %6 to <8 x float>*
	store <8 x float> zeroinitializer, <8 x float>* %7, align 4
	%8 = add i64 %4, 8
	br label %loop1

exit3:
	%9 = alloca [8 x float], align 64
	%10 = bitcast [8 x float]* %9 to float*
	br label %loop4

loop4:
	%11 = phi i64 [ %lo, %exit3 ], [ %38, %exit15 ]
	%12 = icmp slt i64 %11, %1
	br i1 %12, label %body5, label %exit6

body5:
	%13 = mul i64 %11, 32
	br label %loop7

exit6:
	ret void

loop7:
	%14 = phi i64 [ 0, %body5 ], [ %27, %exit12 ]
	%15 = icmp slt i64 %14, 4
	br i1 %15, label %body8, label %exit9

body8:
	%16 = mul i64 %14, 8
	%17 = add i64 %13, %16
	br label %loop10

exit9:
	br label %loop13

loop10:
	%18 = phi i64 [ 0, %body8 ], [ %26, %body11 ]
	%19 = icmp slt i64 %18, 8
	br i1 %19, label %body11, label %exit12

body11:
	%20 = mul i64 %18, 8
	%21 = add i64 %20, %14
	%22 = add i64 %17, %18
	%23 = getelementptr inbounds float, float* %k, i64 %22
	%24 = load float, float* %23, align 4
	%25 = getelementptr inbounds float, float* %3, i64 %21
	store float %24, float* %25, align 4
	%26 = add i64 %18, 1
	br label %loop10

exit12:
	%27 = add i64 %14, 1
	br label %loop7

loop13:
	%28 = phi i64 [ 0, %exit9 ], [ %232, %exit24 ]
	%29 = icmp slt i64 %28, 4
	br i1 %29, label %body14, label %exit15

body14:
	%30 = mul i64 %11, 4
	%31 = add i64 %30, %28
	%32 = mul i64 %31, 8
	%33 = add i64 %28, 1
	%34 = icmp slt i64 %33, 0
	%35 = select i1 %34, i64 0, i64 %33
	%36 = icmp slt i64 %35, 4
	%37 = select i1 %36, i64 %35, i64 4
	br label %loop16

exit15:
	%38 = add i64 %11, 1
	br label %loop4

loop16:
	%39 = phi i64 [ 0, %body14 ], [ %134, %body17 ]
	%40 = phi <8 x float> [ <float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000>, %body14 ], [ %133, %body17 ]
	%41 = icmp slt i64 %39, %37
	br i1 %41, label %body17, label %exit18

body17:
	%42 = getelementptr inbounds float, float* %q, i64 %32
	%43 = load float, float* %42, align 4
	%44 = insertelement <8 x float> undef, float %43, i32 0
	%45 = shufflevector <8 x float> %44, <8 x float> undef, <8 x i32> zeroinitializer
	%46 = add i64 0, %39
	%47 = getelementptr inbounds float, float* %3, i64 %46
	%48 = bitcast float* %47 to <8 x float>*
	%49 = load <8 x float>, <8 x float>* %48, align 4
	%50 = call <8 x float> @llvm.fma.v8f32(<8 x float> %45, <8 x float> %49, <8 x float> zeroinitializer)
	%51 = add i64 %32, 1
	%52 = getelementptr inbounds float, float* %q, i64 %51
	%53 = load float, float* %52, align 4
	%54 = insertelement <8 x float> undef, float %53, i32 0
	%55 = shufflevector <8 x float> %54, <8 x float> undef, <8 x i32> zeroinitializer
	%56 = add i64 8, %39
	%57 = getelementptr inbounds float, float* %3, i64 %56
	%58 = bitcast float* %57 to <8 x float>*
	%59 = load <8 x float>, <8 x float>* %58, align 4
	%60 = call <8 x float> @llvm.fma.v8f32(<8 x float> %55, <8 x float> %59, <8 x float> zeroinitializer)
	%61 = add i64 %32, 2
	%62 = getelementptr inbounds float, float* %q, i64 %61
	%63 = load float, float* %62, align 4
	%64 = insertelement <8 x float> undef, float %63, i32 0
	%65 = shufflevector <8 x float> %64, <8 x float> undef, <8 x i32> zeroinitializer
	%66 = add i64 16, %39
	%67 = getelementptr inbounds float, float* %3, i64 %66
	%68 = bitcast float* %67 to <8 x float>*
	%69 = load <8 x float>, <8 x float>* %68, align 4
	%70 = call <8 x float> @llvm.fma.v8f32(<8 x float> %65, <8 x float> %69, <8 x float> %50)
	%71 = add i64 %32, 3
	%72 = getelementptr inbounds float, float* %q, i64 %71
	%73 = load float, float* %72, align 4
	%74 = insertelement <8 x float> undef, float %73, i32 0
	%75 = shufflevector <8 x float> %74, <8 x float> undef, <8 x i32> zeroinitializer
	%76 = add i64 24, %39
	%77 = getelementptr inbounds float, float* %3, i64 %76
	%78 = bitcast float* %77 to <8 x float>*
	%79 = load <8 x float>, <8 x float>* %78, align 4
	%80 = call <8 x float> @llvm.fma.v8f32(<8 x float> %75, <8 x float> %79, <8 x float> %60)
	%81 = add i64 %32, 4
	%82 = getelementptr inbounds float, float* %q, i64 %81
	%83 = load float, float* %82, align 4
	%84 = insertelement <8 x float> undef, float %83, i32 0
	%85 = shufflevector <8 x float> %84, <8 x float> undef, <8 x i32> zeroinitializer
	%86 = add i64 32, %39
	%87 = getelementptr inbounds float, float* %3, i64 %86
	%88 = bitcast float* %87 to <8 x float>*
	%89 = load <8 x float>, <8 x float>* %88, align 4
	%90 = call <8 x float> @llvm.fma.v8f32(<8 x float> %85, <8 x float> %89, <8 x float> %70)
	%91 = add i64 %32, 5
	%92 = getelementptr inbounds float, float* %q, i64 %91
	%93 = load float, float* %92, align 4
	%94 = insertelement <8 x float> undef, float %93, i32 0
	%95 = shufflevector <8 x float> %94, <8 x float> undef, <8 x i32> zeroinitializer
	%96 = add i64 40, %39
	%97 = getelementptr inbounds float, float* %3, i64 %96
	%98 = bitcast float* %97 to <8 x float>*
	%99 = load <8 x float>, <8 x float>* %98, align 4
	%100 = call <8 x float> @llvm.fma.v8f32(<8 x float> %95, <8 x float> %99, <8 x float> %80)
	%101 = add i64 %32, 6
	%102 = getelementptr inbounds float, float* %q, i64 %101
	%103 = load float, float* %102, align 4
	%104 = insertelement <8 x float> undef, float %103, i32 0
	%105 = shufflevector <8 x float> %104, <8 x float> undef, <8 x i32> zeroinitializer
	%106 = add i64 48, %39
	%107 = getelementptr inbounds float, float* %3, i64 %106
	%108 = bitcast float* %107 to <8 x float>*
	%109 = load <8 x float>, <8 x float>* %108, align 4
	%110 = call <8 x float> @llvm.fma.v8f32(<8 x float> %105, <8 x float> %109, <8 x float> %90)
	%111 = add i64 %32, 7
	%112 = getelementptr inbounds float, float* %q, i64 %111
	%113 = load float, float* %112, align 4
	%114 = insertelement <8 x float> undef, float %113, i32 0
	%115 = shufflevector <8 x float> %114, <8 x float> undef, <8 x i32> zeroinitializer
	%116 = add i64 56, %39
	%117 = getelementptr inbounds float, float* %3, i64 %116
	%118 = bitcast float* %117 to <8 x float>*
	%119 = load <8 x float>, <8 x float>* %118, align 4
	%120 = call <8 x float> @llvm.fma.v8f32(<8 x float> %115, <8 x float> %119, <8 x float> %100)
	%121 = fadd <8 x float> %110, %120
	%122 = fmul <8 x float> %121, <float 0x3FD6A09E60000000, float 0x3FD6A09E60000000, float 0x3FD6A09E60000000, float 0x3FD6A09E60000000, float 0x3FD6A09E60000000, float 0x3FD6A09E60000000, float 0x3FD6A09E60000000, float 0x3FD6A09E60000000>
	%123 = insertelement <8 x i64> undef, i64 %39, i32 0
	%124 = shufflevector <8 x i64> %123, <8 x i64> undef, <8 x i32> zeroinitializer
	%125 = add <8 x i64> <i64 0, i64 1, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7>, %124
	%126 = insertelement <8 x i64> undef, i64 %37, i32 0
	%127 = shufflevector <8 x i64> %126, <8 x i64> undef, <8 x i32> zeroinitializer
	%128 = icmp slt <8 x i64> %125, %127
	%129 = select <8 x i1> %128, <8 x float> %122, <8 x float> <float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000, float 0xC7EC363CC0000000>
	%130 = getelementptr inbounds float, float* %10, i64 %39
	%131 = bitcast float* %130 to <8 x float>*
	store <8 x float> %129, <8 x float>* %131, align 4
	%132 = fcmp ogt <8 x float> %40, %129
	%133 = select <8 x i1> %132, <8 x float> %40, <8 x float> %129
	%134 = add i64 %39, 8
	br label %loop16

exit18:
	%135 = call float @llvm.vector.reduce.fmax.v8f32(<8 x float> %40)
	br label %loop19

loop19:
	%136 = phi i64 [ 0, %exit18 ], [ %174, %body20 ]
	%137 = icmp slt i64 %136, %37
	br i1 %137, label %body20, label %exit21

body20:
	%138 = getelementptr inbounds float, float* %10, i64 %136
	%139 = bitcast float* %138 to <8 x float>*
	%140 = load <8 x float>, <8 x float>* %139, align 4
	%141 = insertelement <8 x float> undef, float %135, i32 0
	%142 = shufflevector <8 x float> %141, <8 x float> undef, <8 x i32> zeroinitializer
	%143 = fsub <8 x float> %140, %142
	%144 = fcmp ogt <8 x float> %143, <float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000>
	%145 = select <8 x i1> %144, <8 x float> %143, <8 x float> <float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000, float 0xC055D33340000000>
	%146 = fcmp olt <8 x float> %145, <float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000>
	%147 = select <8 x i1> %146, <8 x float> %145, <8 x float> <float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000, float 0x40562CCCC0000000>
	%148 = fmul <8 x float> %147, <float 0x3FF7154760000000, float 0x3FF7154760000000, float 0x3FF7154760000000, float 0x3FF7154760000000, float 0x3FF7154760000000, float 0x3FF7154760000000, float 0x3FF7154760000000, float 0x3FF7154760000000>
	%149 = fadd <8 x float> %148, <float 0.5, float 0.5, float 0.5, float 0.5, float 0.5, float 0.5, float 0.5, float 0.5>
	%150 = call <8 x float> @llvm.floor.v8f32(<8 x float> %149)
	%151 = fmul <8 x float> %150, <float 0x3FE62E4000000000, float 0x3FE62E4000000000, float 0x3FE62E4000000000, float 0x3FE62E4000000000, float 0x3FE62E4000000000, float 0x3FE62E4000000000, float 0x3FE62E4000000000, float 0x3FE62E4000000000>
	%152 = fsub <8 x float> %147, %151
	%153 = fmul <8 x float> %150, <float 0x3EB7F7D1C0000000, float 0x3EB7F7D1C0000000, float 0x3EB7F7D1C0000000, float 0x3EB7F7D1C0000000, float 0x3EB7F7D1C0000000, float 0x3EB7F7D1C0000000, float 0x3EB7F7D1C0000000, float 0x3EB7F7D1C0000000>
	%154 = fsub <8 x float> %152, %153
	%155 = fmul <8 x float> <float 0x3F56C16C20000000, float 0x3F56C16C20000000, float 0x3F56C16C20000000, float 0x3F56C16C20000000, float 0x3F56C16C20000000, float 0x3F56C16C20000000, float 0x3F56C16C20000000, float 0x3F56C16C20000000>, %154
	%156 = fadd <8 x float> %155, <float 0x3F81111120000000, float 0x3F81111120000000, float 0x3F81111120000000, float 0x3F81111120000000, float 0x3F81111120000000, float 0x3F81111120000000, float 0x3F81111120000000, float 0x3F81111120000000>
	%157 = fmul <8 x float> %156, %154
	%158 = fadd <8 x float> %157, <float 0x3FA5555560000000, float 0x3FA5555560000000, float 0x3FA5555560000000, float 0x3FA5555560000000, float 0x3FA5555560000000, float 0x3FA5555560000000, float 0x3FA5555560000000, float 0x3FA5555560000000>
	%159 = fmul <8 x float> %158, %154
	%160 = fadd <8 x float> %159, <float 0x3FC5555560000000, float 0x3FC5555560000000, float 0x3FC5555560000000, float 0x3FC5555560000000, float 0x3FC5555560000000, float 0x3FC5555560000000, float 0x3FC5555560000000, float 0x3FC5555560000000>
	%161 = fmul <8 x float> %160, %154
	%162 = fadd <8 x float> %161, <float 0.5, float 0.5, float 0.5, float 0.5, float 0.5, float 0.5, float 0.5, float 0.5>
	%163 = fmul <8 x float> %162, %154
	%164 = fadd <8 x float> %163, <float 1.0, float 1.0, float 1.0, float 1.0, float 1.0, float 1.0, float 1.0, float 1.0>
	%165 = fmul <8 x float> %164, %154
	%166 = fadd <8 x float> %165, <float 1.0, float 1.0, float 1.0, float 1.0, float 1.0, float 1.0, float 1.0, float 1.0>
	%167 = fptosi <8 x float> %150 to <8 x i32>
	%168 = add <8 x i32> %167, <i32 127, i32 127, i32 127, i32 127, i32 127, i32 127, i32 127, i32 127>
	%169 = shl <8 x i32> %168, <i32 23, i32 23, i32 23, i32 23, i32 23, i32 23, i32 23, i32 23>
	%170 = bitcast <8 x i32> %169 to <8 x float>
	%171 = fmul <8 x float> %166, %170
	%172 = getelementptr inbounds float, float* %10, i64 %136
	%173 = bitcast float* %172 to <8 x float>*
	store <8 x float> %171, <8 x float>* %173, align 4
	%174 = add i64 %136, 8
	br label %loop19

exit21:
	br label %loop22

loop22:
	%175 = phi i64 [ 0, %exit21 ], [ %190, %body23 ]
	%176 = phi float [ 0.0, %exit21 ], [ %181, %body23 ]
	%177 = phi <8 x float> [ zeroinitializer, %exit21 ], [ %189, %body23 ]
	%178 = icmp slt i64 %175, %37
	br i1 %178, label %body23, label %exit24

body23:
	%179 = getelementptr inbounds float, float* %10, i64 %175
	%180 = load float, float* %179, align 4
	%181 = fadd float %176, %180
	%182 = insertelement <8 x float> undef, float %180, i32 0
	%183 = shufflevector <8 x float> %182, <8 x float> undef, <8 x i32> zeroinitializer
	%184 = mul i64 %175, 8
	%185 = add i64 %13, %184
	%186 = getelementptr inbounds float, float* %v, i64 %185
	%187 = bitcast float* %186 to <8 x float>*
	%188 = load <8 x float>, <8 x float>* %187, align 4
	%189 = call <8 x float> @llvm.fma.v8f32(<8 x float> %183, <8 x float> %188, <8 x float> %177)
	%190 = add i64 %175, 1
	br label %loop22

exit24:
	%191 = icmp eq i64 %37, 0
	%192 = fdiv float 1.0, %176
	%193 = insertelement <8 x float> undef, float %192, i32 0
	%194 = shufflevector <8 x float> %193, <8 x float> undef, <8 x i32> zeroinitializer
	%195 = fmul <8 x float> %177, %194
	%196 = select i1 %191, <8 x float> zeroinitializer, <8 x float> %195
	%197 = getelementptr inbounds float, float* %o, i64 %32
	%198 = bitcast float* %197 to <8 x float>*
	store <8 x float> %196, <8 x float>* %198, align 4
	%199 = bitcast float %176 to i32
	%200 = lshr i32 %199, 23
	%201 = sub i32 %200, 127
	%202 = and i32 %199, u0x7FFFFF
	%203 = or i32 %202, 1065353216
	%204 = bitcast i32 %203 to float
	%205 = fcmp ogt float %204, 0x3FF6A09E60000000
	%206 = fmul float %204, 0.5
	%207 = select i1 %205, float %206, float %204
	%208 = add i32 %201, 1
	%209 = select i1 %205, i32 %208, i32 %201
	%210 = fsub float %207, 1.0
	%211 = fadd float %207, 1.0
	%212 = fdiv float %210, %211
	%213 = fmul float %212, %212
	%214 = fmul float 0x3FB745D180000000, %213
	%215 = fadd float %214, 0x3FBC71C720000000
	%216 = fmul float %215, %213
	%217 = fadd float %216, 0x3FC24924A0000000
	%218 = fmul float %217, %213
	%219 = fadd float %218, 0x3FC99999A0000000
	%220 = fmul float %219, %213
	%221 = fadd float %220, 0x3FD5555560000000
	%222 = fmul float %221, %213
	%223 = fadd float %222, 1.0
	%224 = fmul float 2.0, %212
	%225 = fmul float %224, %223
	%226 = sitofp i32 %209 to float
	%227 = fmul float %226, 0x3FE62E4300000000
	%228 = fadd float %227, %225
	%229 = fadd float %135, %228
	%230 = select i1 %191, float 0xFFF0000000000000, float %229
	%231 = getelementptr inbounds float, float* %lse, i64 %31
	store float %230, float* %231, align 4
	%232 = add i64 %28, 1
	br label %loop13
}

declare float @llvm.vector.reduce.fmax.v8f32(<8 x float> %0)

declare <8 x float> @llvm.floor.v8f32(<8 x float> %0)

define void @router_topk_t4_e4_k2(float* nocapture %logits, float* nocapture %probs, i32* nocapture %idx, float* nocapture %w, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, 4
	%1 = select i1 %0, i64 %hi, i64 4
	br label %loop1

loop1:
	%2 = phi i64 [ %lo, %entry ], [ %67, %exit15 ]
	%3 = icmp slt i64 %2, %1
	br i1 %3, label %body2, label %exit3

body2:
	%4 = mul i64 %2, 4
	br label %loop4

exit3:
	ret void

loop4:
	%5 = phi i64 [ 0, %body2 ], [ %13, %body5 ]
	%6 = phi float [ 0xC7EC363CC0000000, %body2 ], [ %12, %body5 ]
	%7 = icmp slt i64 %5, 4
	br i1 %7, label %body5, label %exit6

body5:
	%8 = add i64 %4, %5
	%9 = getelementptr inbounds float, float* %logits, i64 %8
	%10 = load float, float* %9, align 4
	%11 = fcmp ogt float %6, %10
	%12 = select i1 %11, float %6, float %10
	%13 = add i64 %5, 1
	br label %loop4

exit6:
	br label %loop7

loop7:
	%14 = phi i64 [ 0, %exit6 ], [ %52, %body8 ]
	%15 = phi float [ 0.0, %exit6 ], [ %51, %body8 ]
	%16 = icmp slt i64 %14, 4
	br i1 %16, label %body8, label %exit9

body8:
	%17 = add i64 %4, %14
	%18 = getelementptr inbounds float, float* %logits, i64 %17
	%19 = load float, float* %18, align 4
	%20 = fsub float %19, %6
	%21 = fcmp ogt float %20, 0xC055D33340000000
	%22 = select i1 %21, float %20, float 0xC055D33340000000
	%23 = fcmp olt float %22, 0x40562CCCC0000000
	%24 = select i1 %23, float %22, float 0x40562CCCC0000000
	%25 = fmul float %24, 0x3FF7154760000000
	%26 = fadd float %25, 0.5
	%27 = call float @llvm.floor.f32(float %26)
	%28 = fmul float %27, 0x3FE62E4000000000
	%29 = fsub float %24, %28
	%30 = fmul float %27, 0x3EB7F7D1C0000000
	%31 = fsub float %29, %30
	%32 = fmul float 0x3F56C16C20000000, %31
	%33 = fadd float %32, 0x3F81111120000000
	%34 = fmul float %33, %31
	%35 = fadd float %34, 0x3FA5555560000000
	%36 = fmul float %35, %31
	%37 = fadd float %36, 0x3FC5555560000000
	%38 = fmul float %37, %31
	%39 = fadd float %38, 0.5
	%40 = fmul float %39, %31
	%41 = fadd float %40, 1.0
	%42 = fmul float %41, %31
	%43 = fadd float %42, 1.0
	%44 = fptosi float %27 to i32
	%45 = add i32 %44, 127
	%46 = shl i32 %45, 23
	%47 = bitcast i32 %46 to float
	%48 = fmul float %43, %47
	%49 = add i64 %4, %14
	%50 = getelementptr inbounds float, float* %probs, i64 %49
	store float %48, float* %50, align 4
	%51 = fadd float %15, %48
	%52 = add i64 %14, 1
	br label %loop7

exit9:
	%53 = fdiv float 1.0, %15
	br label %loop10

loop10:
	%54 = phi i64 [ 0, %exit9 ], [ %62, %body11 ]
	%55 = icmp slt i64 %54, 4
	br i1 %55, label %body11, label %exit12

body11:
	%56 = add i64 %4, %54
	%57 = add i64 %4, %54
	%58 = getelementptr inbounds float, float* %probs, i64 %57
	%59 = load float, float* %58, align 4
	%60 = fmul float %59, %53
	%61 = getelementptr inbounds float, float* %probs, i64 %56
	store float %60, float* %61, align 4
	%62 = add i64 %54, 1
	br label %loop10

exit12:
	%63 = mul i64 %2, 2
	br label %loop13

loop13:
	%64 = phi i64 [ 0, %exit12 ], [ %78, %exit18 ]
	%65 = phi float [ 0.0, %exit12 ], [ %77, %exit18 ]
	%66 = icmp slt i64 %64, 2
	br i1 %66, label %body14, label %exit15

body14:
	br label %loop16

exit15:
	%67 = add i64 %2, 1
	br label %loop1

loop16:
	%68 = phi i64 [ 0, %body14 ], [ %97, %exit21 ]
	%69 = phi i64 [ -1, %body14 ], [ %95, %exit21 ]
	%70 = phi float [ -1.0, %body14 ], [ %96, %exit21 ]
	%71 = icmp slt i64 %68, 4
	br i1 %71, label %body17, label %exit18

body17:
	br label %loop19

exit18:
	%72 = add i64 %63, %64
	%73 = trunc i64 %69 to i32
	%74 = getelementptr inbounds i32, i32* %idx, i64 %72
	store i32 %73, i32* %74, align 4
	%75 = add i64 %63, %64
	%76 = getelementptr inbounds float, float* %w, i64 %75
	store float %70, float* %76, align 4
	%77 = fadd float %65, %70
	%78 = add i64 %64, 1
	br label %loop13

loop19:
	%79 = phi i64 [ 0, %body17 ], [ %88, %body20 ]
	%80 = phi i1 [ false, %body17 ], [ %87, %body20 ]
	%81 = icmp slt i64 %79, %64
	br i1 %81, label %body20, label %exit21

body20:
	%82 = add i64 %63, %79
	%83 = getelementptr inbounds i32, i32* %idx, i64 %82
	%84 = load i32, i32* %83, align 4
	%85 = sext i32 %84 to i64
	%86 = icmp eq i64 %85, %68
	%87 = or i1 %80, %86
	%88 = add i64 %79, 1
	br label %loop19

exit21:
	%89 = add i64 %4, %68
	%90 = getelementptr inbounds float, float* %probs, i64 %89
	%91 = load float, float* %90, align 4
	%92 = xor i1 %80, true
	%93 = fcmp ogt float %91, %70
	%94 = and i1 %92, %93
	%95 = select i1 %94, i64 %68, i64 %69
	%96 = select i1 %94, float %91, float %70
	%97 = add i64 %68, 1
	br label %loop16
}

declare float @llvm.floor.f32(float %0)

define void @permute_t4_k2_w8(float* nocapture %x, i32* nocapture %pos, float* nocapture %out, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, 64
	%1 = select i1 %0, i64 %hi, i64 64
	br label %loop1

loop1:
	%2 = phi i64 [ %lo, %entry ], [ %18, %join5 ]
	%3 = icmp slt i64 %2, %1
	br i1 %3, label %body2, label %exit3

body2:
	%4 = sdiv i64 %2, 8
	%5 = srem i64 %2, 8
	%6 = sdiv i64 %4, 2
	%7 = getelementptr inbounds i32, i32* %pos, i64 %4
	%8 = load i32, i32* %7, align 4
	%9 = sext i32 %8 to i64
	%10 = icmp sge i64 %9, 0
	br i1 %10, label %then4, label %join5

exit3:
	ret void

then4:
	%11 = mul i64 %9, 8
	%12 = add i64 %11, %5
	%13 = mul i64 %6, 8
	%14 = add i64 %13, %5
	%15 = getelementptr inbounds float, float* %x, i64 %14
	%16 = load float, float* %15, align 4
	%17 = getelementptr inbounds float, float* %out, i64 %12
	store float %16, float* %17, align 4
	br label %join5

join5:
	%18 = add i64 %2, 1
	br label %loop1
}

define void @adamw_b0p9_0p95_e1em08(float* nocapture %p, float* nocapture %g, float* nocapture %m, float* nocapture %v, float* nocapture %hp, i64 %n, i64 %lo, i64 %hi) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = icmp slt i64 %hi, %n
	%1 = select i1 %0, i64 %hi, i64 %n
	br label %loop1

loop1:
	%2 = phi i64 [ %lo, %entry ], [ %42, %body2 ]
	%3 = icmp slt i64 %2, %1
	br i1 %3, label %body2, label %exit3

body2:
	%4 = load float, float* %hp, align 4
	%5 = getelementptr inbounds float, float* %hp, i64 1
	%6 = load float, float* %5, align 4
	%7 = getelementptr inbounds float, float* %hp, i64 2
	%8 = load float, float* %7, align 4
	%9 = getelementptr inbounds float, float* %hp, i64 3
	%10 = load float, float* %9, align 4
	%11 = getelementptr inbounds float, float* %hp, i64 4
	%12 = load float, float* %11, align 4
	%13 = getelementptr inbounds float, float* %g, i64 %2
	%14 = load float, float* %13, align 4
	%15 = fmul float %14, %12
	%16 = getelementptr inbounds float, float* %m, i64 %2
	%17 = load float, float* %16, align 4
	%18 = fmul float 0x3FECCCCCC0000000, %17
	%19 = fmul float 0x3FB99999A0000000, %15
	%20 = fadd float %18, %19
	%21 = getelementptr inbounds float, float* %v, i64 %2
	%22 = load float, float* %21, align 4
	%23 = fmul float 0x3FEE666660000000, %22
	%24 = fmul float %15, %15
	%25 = fmul float 0x3FA99999A0000000, %24
	%26 = fadd float %23, %25
	%27 = getelementptr inbounds float, float* %m, i64 %2
	store float %20, float* %27, align 4
	%28 = getelementptr inbounds float, float* %v, i64 %2
	store float %26, float* %28, align 4
	%29 = getelementptr inbounds float, float* %p, i64 %2
	%30 = load float, float* %29, align 4
	%31 = fmul float %4, %6
	%32 = fsub float 1.0, %31
	%33 = fmul float %30, %32
	%34 = fmul float %20, %8
	%35 = fmul float %26, %10
	%36 = call float @llvm.sqrt.f32(float %35)
	%37 = fadd float %36, 0x3E45798EE0000000
	%38 = fdiv float %34, %37
	%39 = fmul float %4, %38
	%40 = fsub float %33, %39
	%41 = getelementptr inbounds float, float* %p, i64 %2
	store float %40, float* %41, align 4
	%42 = add i64 %2, 1
	br label %loop1

exit3:
	ret void
}
