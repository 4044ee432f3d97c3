source_filename = "golden"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

define void @matmul_nn_m12_k16_n24_bias(float* nocapture %a, float* nocapture %b, float* nocapture %bias, float* nocapture %c) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = alloca [8192 x float], align 32
	%1 = bitcast [8192 x float]* %0 to float*
	br label %loop1

loop1:
	%2 = phi i64 [ 0, %entry ], [ %12, %exit6 ]
	%3 = icmp slt i64 %2, 12
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
	%13 = phi i64 [ 0, %exit3 ], [ %26, %exit12 ]
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
	%18 = phi i64 [ 0, %body8 ], [ %133, %exit43 ]
	%19 = icmp slt i64 %18, 16
	br i1 %19, label %body11, label %exit12

body11:
	%20 = sub i64 16, %18
	%21 = icmp slt i64 256, %20
	%22 = select i1 %21, i64 256, i64 %20
	%23 = icmp sgt i64 %18, 0
	%24 = sdiv i64 %17, 16
	%25 = mul i64 %24, 16
	br label %loop13

exit12:
	%26 = add i64 %13, 24
	br label %loop7

loop13:
	%27 = phi i64 [ 0, %body11 ], [ %54, %exit18 ]
	%28 = icmp slt i64 %27, %25
	br i1 %28, label %body14, label %exit15

body14:
	%29 = mul i64 %27, %22
	%30 = getelementptr inbounds float, float* %1, i64 %29
	%31 = mul i64 %18, 24
	%32 = add i64 %13, %27
	%33 = add i64 %31, %32
	%34 = getelementptr inbounds float, float* %b, i64 %33
	br label %loop16

exit15:
	br label %loop19

loop16:
	%35 = phi i64 [ 0, %body14 ], [ %53, %body17 ]
	%36 = icmp slt i64 %35, %22
	br i1 %36, label %body17, label %exit18

body17:
	%37 = mul i64 %35, 24
	%38 = getelementptr inbounds float, float* %34, i64 %37
	%39 = bitcast float* %38 to <8 x float>*
	%40 = load <8 x float>, <8 x float>* %39, align 4
	%41 = mul i64 %35, 16
	%42 = getelementptr inbounds float, float* %30, i64 %41
	%43 = bitcast float* %42 to <8 x float>*
	store <8 x float> %40, <8 x float>* %43, align 4
	%44 = mul i64 %35, 24
	%45 = add i64 %44, 8
	%46 = getelementptr inbounds float, float* %34, i64 %45
	%47 = bitcast float* %46 to <8 x float>*
	%48 = load <8 x float>, <8 x float>* %47, align 4
	%49 = mul i64 %35, 16
	%50 = add i64 %49, 8
	%51 = getelementptr inbounds float, float* %30, i64 %50
	%52 = bitcast float* %51 to <8 x float>*
	store <8 x float> %48, <8 x float>* %52, align 4
	%53 = add i64 %35, 1
	br label %loop16

exit18:
	%54 = add i64 %27, 16
	br label %loop13

loop19:
	%55 = phi i64 [ %25, %exit15 ], [ %82, %exit24 ]
	%56 = icmp slt i64 %55, %17
	br i1 %56, label %body20, label %exit21

body20:
	br label %loop22

exit21:
	%57 = sdiv i64 %17, 16
	%58 = mul i64 %57, 16
	%59 = sub i64 %17, %58
	%60 = icmp sge i64 %59, 8
	%61 = select i1 %60, i64 8, i64 0
	%62 = add i64 %58, %61
	%63 = sdiv i64 12, 6
	%64 = mul i64 %63, 6
	br label %loop25

loop22:
	%65 = phi i64 [ 0, %body20 ], [ %81, %body23 ]
	%66 = icmp slt i64 %65, %22
	br i1 %66, label %body23, label %exit24

body23:
	%67 = sdiv i64 %55, 16
	%68 = srem i64 %55, 16
	%69 = mul i64 %67, %22
	%70 = mul i64 %69, 16
	%71 = mul i64 %65, 16
	%72 = add i64 %71, %68
	%73 = add i64 %70, %72
	%74 = add i64 %18, %65
	%75 = add i64 %13, %55
	%76 = mul i64 %74, 24
	%77 = add i64 %76, %75
	%78 = getelementptr inbounds float, float* %b, i64 %77
	%79 = load float, float* %78, align 4
	%80 = getelementptr inbounds float, float* %1, i64 %73
	store float %79, float* %80, align 4
	%81 = add i64 %65, 1
	br label %loop22

exit24:
	%82 = add i64 %55, 1
	br label %loop19

loop25:
	%83 = phi i64 [ 0, %exit21 ], [ %106, %join32 ]
	%84 = icmp slt i64 %83, %64
	br i1 %84, label %body26, label %exit27

body26:
	br label %loop28

exit27:
	br label %loop33

loop28:
	%85 = phi i64 [ 0, %body26 ], [ %96, %body29 ]
	%86 = icmp slt i64 %85, %58
	br i1 %86, label %body29, label %exit30

body29:
	%87 = mul i64 %83, 16
	%88 = add i64 %87, %18
	%89 = getelementptr inbounds float, float* %a, i64 %88
	%90 = mul i64 %85, %22
	%91 = getelementptr inbounds float, float* %1, i64 %90
	%92 = mul i64 %83, 24
	%93 = add i64 %13, %85
	%94 = add i64 %92, %93
	%95 = getelementptr inbounds float, float* %c, i64 %94
	call void @planc_mk_6x16_rs16_cs1_ldb16_ldc24(float* %89, float* %91, float* %95, i64 %22, i1 true)
	%96 = add i64 %85, 16
	br label %loop28

exit30:
	br i1 %60, label %then31, label %join32

then31:
	%97 = mul i64 %83, 16
	%98 = add i64 %97, %18
	%99 = getelementptr inbounds float, float* %a, i64 %98
	%100 = mul i64 %58, %22
	%101 = getelementptr inbounds float, float* %1, i64 %100
	%102 = mul i64 %83, 24
	%103 = add i64 %13, %58
	%104 = add i64 %102, %103
	%105 = getelementptr inbounds float, float* %c, i64 %104
	call void @planc_mk_6x8_rs16_cs1_ldb16_ldc24(float* %99, float* %101, float* %105, i64 %22, i1 true)
	br label %join32

join32:
	%106 = add i64 %83, 6
	br label %loop25

loop33:
	%107 = phi i64 [ %64, %exit27 ], [ %130, %join40 ]
	%108 = icmp slt i64 %107, 12
	br i1 %108, label %body34, label %exit35

body34:
	br label %loop36

exit35:
	br label %loop41

loop36:
	%109 = phi i64 [ 0, %body34 ], [ %120, %body37 ]
	%110 = icmp slt i64 %109, %58
	br i1 %110, label %body37, label %exit38

body37:
	%111 = mul i64 %107, 16
	%112 = add i64 %111, %18
	%113 = getelementptr inbounds float, float* %a, i64 %112
	%114 = mul i64 %109, %22
	%115 = getelementptr inbounds float, float* %1, i64 %114
	%116 = mul i64 %107, 24
	%117 = add i64 %13, %109
	%118 = add i64 %116, %117
	%119 = getelementptr inbounds float, float* %c, i64 %118
	call void @planc_mk_1x16_rs16_cs1_ldb16_ldc24(float* %113, float* %115, float* %119, i64 %22, i1 true)
	%120 = add i64 %109, 16
	br label %loop36

exit38:
	br i1 %60, label %then39, label %join40

then39:
	%121 = mul i64 %107, 16
	%122 = add i64 %121, %18
	%123 = getelementptr inbounds float, float* %a, i64 %122
	%124 = mul i64 %58, %22
	%125 = getelementptr inbounds float, float* %1, i64 %124
	%126 = mul i64 %107, 24
	%127 = add i64 %13, %58
	%128 = add i64 %126, %127
	%129 = getelementptr inbounds float, float* %c, i64 %128
	call void @planc_mk_1x8_rs16_cs1_ldb16_ldc24(float* %123, float* %125, float* %129, i64 %22, i1 true)
	br label %join40

join40:
	%130 = add i64 %107, 1
	br label %loop33

loop41:
	%131 = phi i64 [ 0, %exit35 ], [ %142, %exit46 ]
	%132 = icmp slt i64 %131, 12
	br i1 %132, label %body42, label %exit43

body42:
	br label %loop44

exit43:
	%133 = add i64 %18, 256
	br label %loop10

loop44:
	%134 = phi i64 [ %62, %body42 ], [ %163, %exit49 ]
	%135 = icmp slt i64 %134, %17
	br i1 %135, label %body45, label %exit46

body45:
	%136 = mul i64 %131, 24
	%137 = add i64 %13, %134
	%138 = add i64 %136, %137
	%139 = getelementptr inbounds float, float* %c, i64 %138
	%140 = load float, float* %139, align 4
	%141 = select i1 true, float %140, float 0.0
	br label %loop47

exit46:
	%142 = add i64 %131, 1
	br label %loop41

loop47:
	%143 = phi i64 [ 0, %body45 ], [ %161, %body48 ]
	%144 = phi float [ %141, %body45 ], [ %160, %body48 ]
	%145 = icmp slt i64 %143, %22
	br i1 %145, label %body48, label %exit49

body48:
	%146 = add i64 %18, %143
	%147 = mul i64 %131, 16
	%148 = add i64 %147, %146
	%149 = getelementptr inbounds float, float* %a, i64 %148
	%150 = load float, float* %149, align 4
	%151 = sdiv i64 %134, 16
	%152 = srem i64 %134, 16
	%153 = mul i64 %151, %22
	%154 = mul i64 %153, 16
	%155 = mul i64 %143, 16
	%156 = add i64 %155, %152
	%157 = add i64 %154, %156
	%158 = getelementptr inbounds float, float* %1, i64 %157
	%159 = load float, float* %158, align 4
	%160 = call float @llvm.fma.f32(float %150, float %159, float %144)
	%161 = add i64 %143, 1
	br label %loop47

exit49:
	%162 = getelementptr inbounds float, float* %c, i64 %138
	store float %144, float* %162, align 4
	%163 = add i64 %134, 1
	br label %loop44
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

declare <8 x float> @llvm.fma.v8f32(<8 x float> %0, <8 x float> %1, <8 x float> %2)

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

declare float @llvm.fma.f32(float %0, float %1, float %2)

define void @matmul_nt_m12_k16_n24(float* nocapture %a, float* nocapture %b, float* nocapture %c) nounwind "target-cpu"="x86-64-v3" {
entry:
	%0 = alloca [8192 x float], align 32
	%1 = bitcast [8192 x float]* %0 to float*
	br label %loop1

loop1:
	%2 = phi i64 [ 0, %entry ], [ %15, %exit6 ]
	%3 = icmp slt i64 %2, 24
	br i1 %3, label %body2, label %exit3

body2:
	%4 = sub i64 24, %2
	%5 = icmp slt i64 24, %4
	%6 = select i1 %5, i64 24, i64 %4
	br label %loop4

exit3:
	ret void

loop4:
	%7 = phi i64 [ 0, %body2 ], [ %305, %exit82 ]
	%8 = icmp slt i64 %7, 16
	br i1 %8, label %body5, label %exit6

body5:
	%9 = sub i64 16, %7
	%10 = icmp slt i64 256, %9
	%11 = select i1 %10, i64 256, i64 %9
	%12 = icmp sgt i64 %7, 0
	%13 = sdiv i64 %6, 16
	%14 = mul i64 %13, 16
	br label %loop7

exit6:
	%15 = add i64 %2, 24
	br label %loop1

loop7:
	%16 = phi i64 [ 0, %body5 ], [ %226, %exit57 ]
	%17 = icmp slt i64 %16, %14
	br i1 %17, label %body8, label %exit9

body8:
	%18 = mul i64 %16, %11
	%19 = getelementptr inbounds float, float* %1, i64 %18
	%20 = add i64 %2, %16
	%21 = mul i64 %20, 16
	%22 = add i64 %21, %7
	%23 = getelementptr inbounds float, float* %b, i64 %22
	br label %loop10

exit9:
	br label %loop58

loop10:
	%24 = phi i64 [ 0, %body8 ], [ %30, %body11 ]
	%25 = icmp slt i64 %24, %11
	br i1 %25, label %body11, label %exit12

body11:
	%26 = mul i64 %24, 16
	%27 = getelementptr inbounds float, float* %23, i64 %24
	%28 = load float, float* %27, align 4
	%29 = getelementptr inbounds float, float* %19, i64 %26
	store float %28, float* %29, align 4
	%30 = add i64 %24, 1
	br label %loop10

exit12:
	%31 = add i64 %2, %16
	%32 = add i64 %31, 1
	%33 = mul i64 %32, 16
	%34 = add i64 %33, %7
	%35 = getelementptr inbounds float, float* %b, i64 %34
	br label %loop13

loop13:
	%36 = phi i64 [ 0, %exit12 ], [ %43, %body14 ]
	%37 = icmp slt i64 %36, %11
	br i1 %37, label %body14, label %exit15

body14:
	%38 = mul i64 %36, 16
	%39 = add i64 %38, 1
	%40 = getelementptr inbounds float, float* %35, i64 %36
	%41 = load float, float* %40, align 4
	%42 = getelementptr inbounds float, float* %19, i64 %39
	store float %41, float* %42, align 4
	%43 = add i64 %36, 1
	br label %loop13

exit15:
	%44 = add i64 %2, %16
	%45 = add i64 %44, 2
	%46 = mul i64 %45, 16
	%47 = add i64 %46, %7
	%48 = getelementptr inbounds float, float* %b, i64 %47
	br label %loop16

loop16:
	%49 = phi i64 [ 0, %exit15 ], [ %56, %body17 ]
	%50 = icmp slt i64 %49, %11
	br i1 %50, label %body17, label %exit18

body17:
	%51 = mul i64 %49, 16
	%52 = add i64 %51, 2
	%53 = getelementptr inbounds float, float* %48, i64 %49
	%54 = load float, float* %53, align 4
	%55 = getelementptr inbounds float, float* %19, i64 %52
	store float %54, float* %55, align 4
	%56 = add i64 %49, 1
	br label %loop16

exit18:
	%57 = add i64 %2, %16
	%58 = add i64 %57, 3
	%59 = mul i64 %58, 16
	%60 = add i64 %59, %7
	%61 = getelementptr inbounds float, float* %b, i64 %60
	br label %loop19

loop19:
	%62 = phi i64 [ 0, %exit18 ], [ %69, %body20 ]
	%63 = icmp slt i64 %62, %11
	br i1 %63, label %body20, label %exit21

body20:
	%64 = mul i64 %62, 16
	%65 = add i64 %64, 3
	%66 = getelementptr inbounds float, float* %61, i64 %62
	%67 = load float, float* %66, align 4
	%68 = getelementptr inbounds float, float* %19, i64 %65
	store float %67, float* %68, align 4
	%69 = add i64 %62, 1
	br label %loop19

exit21:
	%70 = add i64 %2, %16
	%71 = add i64 %70, 4
	%72 = mul i64 %71, 16
	%73 = add i64 %72, %7
	%74 = getelementptr inbounds float, float* %b, i64 %73
	br label %loop22

loop22:
	%75 = phi i64 [ 0, %exit21 ], [ %82, %body23 ]
	%76 = icmp slt i64 %75, %11
	br i1 %76, label %body23, label %exit24

body23:
	%77 = mul i64 %75, 16
	%78 = add i64 %77, 4
	%79 = getelementptr inbounds float, float* %74, i64 %75
	%80 = load float, float* %79, align 4
	%81 = getelementptr inbounds float, float* %19, i64 %78
	store float %80, float* %81, align 4
	%82 = add i64 %75, 1
	br label %loop22

exit24:
	%83 = add i64 %2, %16
	%84 = add i64 %83, 5
	%85 = mul i64 %84, 16
	%86 = add i64 %85, %7
	%87 = getelementptr inbounds float, float* %b, i64 %86
	br label %loop25

loop25:
	%88 = phi i64 [ 0, %exit24 ], [ %95, %body26 ]
	%89 = icmp slt i64 %88, %11
	br i1 %89, label %body26, label %exit27

body26:
	%90 = mul i64 %88, 16
	%91 = add i64 %90, 5
	%92 = getelementptr inbounds float, float* %87, i64 %88
	%93 = load float, float* %92, align 4
	%94 = getelementptr inbounds float, float* %19, i64 %91
	store float %93, float* %94, align 4
	%95 = add i64 %88, 1
	br label %loop25

exit27:
	%96 = add i64 %2, %16
	%97 = add i64 %96, 6
	%98 = mul i64 %97, 16
	%99 = add i64 %98, %7
	%100 = getelementptr inbounds float, float* %b, i64 %99
	br label %loop28

loop28:
	%101 = phi i64 [ 0, %exit27 ], [ %108, %body29 ]
	%102 = icmp slt i64 %101, %11
	br i1 %102, label %body29, label %exit30

body29:
	%103 = mul i64 %101, 16
	%104 = add i64 %103, 6
	%105 = getelementptr inbounds float, float* %100, i64 %101
	%106 = load float, float* %105, align 4
	%107 = getelementptr inbounds float, float* %19, i64 %104
	store float %106, float* %107, align 4
	%108 = add i64 %101, 1
	br label %loop28

exit30:
	%109 = add i64 %2, %16
	%110 = add i64 %109, 7
	%111 = mul i64 %110, 16
	%112 = add i64 %111, %7
	%113 = getelementptr inbounds float, float* %b, i64 %112
	br label %loop31

loop31:
	%114 = phi i64 [ 0, %exit30 ], [ %121, %body32 ]
	%115 = icmp slt i64 %114, %11
	br i1 %115, label %body32, label %exit33

body32:
	%116 = mul i64 %114, 16
	%117 = add i64 %116, 7
	%118 = getelementptr inbounds float, float* %113, i64 %114
	%119 = load float, float* %118, align 4
	%120 = getelementptr inbounds float, float* %19, i64 %117
	store float %119, float* %120, align 4
	%121 = add i64 %114, 1
	br label %loop31

exit33:
	%122 = add i64 %2, %16
	%123 = add i64 %122, 8
	%124 = mul i64 %123, 16
	%125 = add i64 %124, %7
	%126 = getelementptr inbounds float, float* %b, i64 %125
	br label %loop34

loop34:
	%127 = phi i64 [ 0, %exit33 ], [ %134, %body35 ]
	%128 = icmp slt i64 %127, %11
	br i1 %128, label %body35, label %exit36

body35:
	%129 = mul i64 %127, 16
	%130 = add i64 %129, 8
	%131 = getelementptr inbounds float, float* %126, i64 %127
	%132 = load float, float* %131, align 4
	%133 = getelementptr inbounds float, float* %19, i64 %130
	store float %132, float* %133, align 4
	%134 = add i64 %127, 1
	br label %loop34

exit36:
	%135 = add i64 %2, %16
	%136 = add i64 %135, 9
	%137 = mul i64 %136, 16
	%138 = add i64 %137, %7
	%139 = getelementptr inbounds float, float* %b, i64 %138
	br label %loop37

loop37:
	%140 = phi i64 [ 0, %exit36 ], [ %147, %body38 ]
	%141 = icmp slt i64 %140, %11
	br i1 %141, label %body38, label %exit39

body38:
	%142 = mul i64 %140, 16
	%143 = add i64 %142, 9
	%144 = getelementptr inbounds float, float* %139, i64 %140
	%145 = load float, float* %144, align 4
	%146 = getelementptr inbounds float, float* %19, i64 %143
	store float %145, float* %146, align 4
	%147 = add i64 %140, 1
	br label %loop37

exit39:
	%148 = add i64 %2, %16
	%149 = add i64 %148, 10
	%150 = mul i64 %149, 16
	%151 = add i64 %150, %7
	%152 = getelementptr inbounds float, float* %b, i64 %151
	br label %loop40

loop40:
	%153 = phi i64 [ 0, %exit39 ], [ %160, %body41 ]
	%154 = icmp slt i64 %153, %11
	br i1 %154, label %body41, label %exit42

body41:
	%155 = mul i64 %153, 16
	%156 = add i64 %155, 10
	%157 = getelementptr inbounds float, float* %152, i64 %153
	%158 = load float, float* %157, align 4
	%159 = getelementptr inbounds float, float* %19, i64 %156
	store float %158, float* %159, align 4
	%160 = add i64 %153, 1
	br label %loop40

exit42:
	%161 = add i64 %2, %16
	%162 = add i64 %161, 11
	%163 = mul i64 %162, 16
	%164 = add i64 %163, %7
	%165 = getelementptr inbounds float, float* %b, i64 %164
	br label %loop43

loop43:
	%166 = phi i64 [ 0, %exit42 ], [ %173, %body44 ]
	%167 = icmp slt i64 %166, %11
	br i1 %167, label %body44, label %exit45

body44:
	%168 = mul i64 %166, 16
	%169 = add i64 %168, 11
	%170 = getelementptr inbounds float, float* %165, i64 %166
	%171 = load float, float* %170, align 4
	%172 = getelementptr inbounds float, float* %19, i64 %169
	store float %171, float* %172, align 4
	%173 = add i64 %166, 1
	br label %loop43

exit45:
	%174 = add i64 %2, %16
	%175 = add i64 %174, 12
	%176 = mul i64 %175, 16
	%177 = add i64 %176, %7
	%178 = getelementptr inbounds float, float* %b, i64 %177
	br label %loop46

loop46:
	%179 = phi i64 [ 0, %exit45 ], [ %186, %body47 ]
	%180 = icmp slt i64 %179, %11
	br i1 %180, label %body47, label %exit48

body47:
	%181 = mul i64 %179, 16
	%182 = add i64 %181, 12
	%183 = getelementptr inbounds float, float* %178, i64 %179
	%184 = load float, float* %183, align 4
	%185 = getelementptr inbounds float, float* %19, i64 %182
	store float %184, float* %185, align 4
	%186 = add i64 %179, 1
	br label %loop46

exit48:
	%187 = add i64 %2, %16
	%188 = add i64 %187, 13
	%189 = mul i64 %188, 16
	%190 = add i64 %189, %7
	%191 = getelementptr inbounds float, float* %b, i64 %190
	br label %loop49

loop49:
	%192 = phi i64 [ 0, %exit48 ], [ %199, %body50 ]
	%193 = icmp slt i64 %192, %11
	br i1 %193, label %body50, label %exit51

body50:
	%194 = mul i64 %192, 16
	%195 = add i64 %194, 13
	%196 = getelementptr inbounds float, float* %191, i64 %192
	%197 = load float, float* %196, align 4
	%198 = getelementptr inbounds float, float* %19, i64 %195
	store float %197, float* %198, align 4
	%199 = add i64 %192, 1
	br label %loop49

exit51:
	%200 = add i64 %2, %16
	%201 = add i64 %200, 14
	%202 = mul i64 %201, 16
	%203 = add i64 %202, %7
	%204 = getelementptr inbounds float, float* %b, i64 %203
	br label %loop52

loop52:
	%205 = phi i64 [ 0, %exit51 ], [ %212, %body53 ]
	%206 = icmp slt i64 %205, %11
	br i1 %206, label %body53, label %exit54

body53:
	%207 = mul i64 %205, 16
	%208 = add i64 %207, 14
	%209 = getelementptr inbounds float, float* %204, i64 %205
	%210 = load float, float* %209, align 4
	%211 = getelementptr inbounds float, float* %19, i64 %208
	store float %210, float* %211, align 4
	%212 = add i64 %205, 1
	br label %loop52

exit54:
	%213 = add i64 %2, %16
	%214 = add i64 %213, 15
	%215 = mul i64 %214, 16
	%216 = add i64 %215, %7
	%217 = getelementptr inbounds float, float* %b, i64 %216
	br label %loop55

loop55:
	%218 = phi i64 [ 0, %exit54 ], [ %225, %body56 ]
	%219 = icmp slt i64 %218, %11
	br i1 %219, label %body56, label %exit57

body56:
	%220 = mul i64 %218, 16
	%221 = add i64 %220, 15
	%222 = getelementptr inbounds float, float* %217, i64 %218
	%223 = load float, float* %222, align 4
	%224 = getelementptr inbounds float, float* %19, i64 %221
	store float %223, float* %224, align 4
	%225 = add i64 %218, 1
	br label %loop55

exit57:
	%226 = add i64 %16, 16
	br label %loop7

loop58:
	%227 = phi i64 [ %14, %exit9 ], [ %254, %exit63 ]
	%228 = icmp slt i64 %227, %6
	br i1 %228, label %body59, label %exit60

body59:
	br label %loop61

exit60:
	%229 = sdiv i64 %6, 16
	%230 = mul i64 %229, 16
	%231 = sub i64 %6, %230
	%232 = icmp sge i64 %231, 8
	%233 = select i1 %232, i64 8, i64 0
	%234 = add i64 %230, %233
	%235 = sdiv i64 12, 6
	%236 = mul i64 %235, 6
	br label %loop64

loop61:
	%237 = phi i64 [ 0, %body59 ], [ %253, %body62 ]
	%238 = icmp slt i64 %237, %11
	br i1 %238, label %body62, label %exit63

body62:
	%239 = sdiv i64 %227, 16
	%240 = srem i64 %227, 16
	%241 = mul i64 %239, %11
	%242 = mul i64 %241, 16
	%243 = mul i64 %237, 16
	%244 = add i64 %243, %240
	%245 = add i64 %242, %244
	%246 = add i64 %7, %237
	%247 = add i64 %2, %227
	%248 = mul i64 %247, 16
	%249 = add i64 %248, %246
	%250 = getelementptr inbounds float, float* %b, i64 %249
	%251 = load float, float* %250, align 4
	%252 = getelementptr inbounds float, float* %1, i64 %245
	store float %251, float* %252, align 4
	%253 = add i64 %237, 1
	br label %loop61

exit63:
	%254 = add i64 %227, 1
	br label %loop58

loop64:
	%255 = phi i64 [ 0, %exit60 ], [ %278, %join71 ]
	%256 = icmp slt i64 %255, %236
	br i1 %256, label %body65, label %exit66

body65:
	br label %loop67

exit66:
	br label %loop72

loop67:
	%257 = phi i64 [ 0, %body65 ], [ %268, %body68 ]
	%258 = icmp slt i64 %257, %230
	br i1 %258, label %body68, label %exit69

body68:
	%259 = mul i64 %255, 16
	%260 = add i64 %259, %7
	%261 = getelementptr inbounds float, float* %a, i64 %260
	%262 = mul i64 %257, %11
	%263 = getelementptr inbounds float, float* %1, i64 %262
	%264 = mul i64 %255, 24
	%265 = add i64 %2, %257
	%266 = add i64 %264, %265
	%267 = getelementptr inbounds float, float* %c, i64 %266
	call void @planc_mk_6x16_rs16_cs1_ldb16_ldc24(float* %261, float* %263, float* %267, i64 %11, i1 %12)
	%268 = add i64 %257, 16
	br label %loop67

exit69:
	br i1 %232, label %then70, label %join71

then70:
	%269 = mul i64 %255, 16
	%270 = add i64 %269, %7
	%271 = getelementptr inbounds float, float* %a, i64 %270
	%272 = mul i64 %230, %11
	%273 = getelementptr inbounds float, float* %1, i64 %272
	%274 = mul i64 %255, 24
	%275 = add i64 %2, %230
	%276 = add i64 %274, %275
	%277 = getelementptr inbounds float, float* %c, i64 %276
	call void @planc_mk_6x8_rs16_cs1_ldb16_ldc24(float* %271, float* %273, float* %277, i64 %11, i1 %12)
	br label %join71

join71:
	%278 = add i64 %255, 6
	br label %loop64

loop72:
	%279 = phi i64 [ %236, %exit66 ], [ %302, %join79 ]
	%280 = icmp slt i64 %279, 12
	br i1 %280, label %body73, label %exit74

body73:
	br label %loop75

exit74:
	br label %loop80

loop75:
	%281 = phi i64 [ 0, %body73 ], [ %292, %body76 ]
	%282 = icmp slt i64 %281, %230
	br i1 %282, label %body76, label %exit77

body76:
	%283 = mul i64 %279, 16
	%284 = add i64 %283, %7
	%285 = getelementptr inbounds float, float* %a, i64 %284
	%286 = mul i64 %281, %11
	%287 = getelementptr inbounds float, float* %1, i64 %286
	%288 = mul i64 %279, 24
	%289 = add i64 %2, %281
	%290 = add i64 %288, %289
	%291 = getelementptr inbounds float, float* %c, i64 %290
	call void @planc_mk_1x16_rs16_cs1_ldb16_ldc24(float* %285, float* %287, float* %291, i64 %11, i1 %12)
	%292 = add i64 %281, 16
	br label %loop75

exit77:
	br i1 %232, label %then78, label %join79

then78:
	%293 = mul i64 %279, 16
	%294 = add i64 %293, %7
	%295 = getelementptr inbounds float, float* %a, i64 %294
	%296 = mul i64 %230, %11
	%297 = getelementptr inbounds float, float* %1, i64 %296
	%298 = mul i64 %279, 24
	%299 = add i64 %2, %230
	%300 = add i64 %298, %299
	%301 = getelementptr inbounds float, float* %c, i64 %300
	call void @planc_mk_1x8_rs16_cs1_ldb16_ldc24(float* %295, float* %297, float* %301, i64 %11, i1 %12)
	br label %join79

join79:
	%302 = add i64 %279, 1
	br label %loop72

loop80:
	%303 = phi i64 [ 0, %exit74 ], [ %314, %exit85 ]
	%304 = icmp slt i64 %303, 12
	br i1 %304, label %body81, label %exit82

body81:
	br label %loop83

exit82:
	%305 = add i64 %7, 256
	br label %loop4

loop83:
	%306 = phi i64 [ %234, %body81 ], [ %335, %exit88 ]
	%307 = icmp slt i64 %306, %6
	br i1 %307, label %body84, label %exit85

body84:
	%308 = mul i64 %303, 24
	%309 = add i64 %2, %306
	%310 = add i64 %308, %309
	%311 = getelementptr inbounds float, float* %c, i64 %310
	%312 = load float, float* %311, align 4
	%313 = select i1 %12, float %312, float 0.0
	br label %loop86

exit85:
	%314 = add i64 %303, 1
	br label %loop80

loop86:
	%315 = phi i64 [ 0, %body84 ], [ %333, %body87 ]
	%316 = phi float [ %313, %body84 ], [ %332, %body87 ]
	%317 = icmp slt i64 %315, %11
	br i1 %317, label %body87, label %exit88

body87:
	%318 = add i64 %7, %315
	%319 = mul i64 %303, 16
	%320 = add i64 %319, %318
	%321 = getelementptr inbounds float, float* %a, i64 %320
	%322 = load float, float* %321, align 4
	%323 = sdiv i64 %306, 16
	%324 = srem i64 %306, 16
	%325 = mul i64 %323, %11
	%326 = mul i64 %325, 16
	%327 = mul i64 %315, 16
	%328 = add i64 %327, %324
	%329 = add i64 %326, %328
	%330 = getelementptr inbounds float, float* %1, i64 %329
	%331 = load float, float* %330, align 4
	%332 = call float @llvm.fma.f32(float %322, float %331, float %316)
	%333 = add i64 %315, 1
	br label %loop86

exit88:
	%334 = getelementptr inbounds float, float* %c, i64 %310
	store float %316, float* %334, align 4
	%335 = add i64 %306, 1
	br label %loop83
}

define void @layernorm_fwd_r4_w8(float* nocapture %x, float* nocapture %gamma, float* nocapture %beta, float* nocapture %y, float* nocapture %mean, float* nocapture %rstd) nounwind "target-cpu"="x86-64-v3" {
entry:
	br label %loop1

loop1:
	%0 = phi i64 [ 0, %entry ], [ %43, %exit12 ]
	%1 = icmp slt i64 %0, 4
	br i1 %1, label %body2, label %exit3

body2:
	%2 = mul i64 %0, 8
	br label %loop4

exit3:
	ret void

loop4:
	%3 = phi i64 [ 0, %body2 ], [ %10, %body5 ]
	%4 = phi float [ 0.0, %body2 ], [ %9, %body5 ]
	%5 = icmp slt i64 %3, 8
	br i1 %5, label %body5, label %exit6

body5:
	%6 = add i64 %2, %3
	%7 = getelementptr inbounds float, float* %x, i64 %6
	%8 = load float, float* %7, align 4
	%9 = fadd float %4, %8
	%10 = add i64 %3, 1
	br label %loop4

exit6:
	%11 = fmul float %4, 0.125
	br label %loop7

loop7:
	%12 = phi i64 [ 0, %exit6 ], [ %21, %body8 ]
	%13 = phi float [ 0.0, %exit6 ], [ %20, %body8 ]
	%14 = icmp slt i64 %12, 8
	br i1 %14, label %body8, label %exit9

body8:
	%15 = add i64 %2, %12
	%16 = getelementptr inbounds float, float* %x, i64 %15
	%17 = load float, float* %16, align 4
	%18 = fsub float %17, %11
	%19 = fmul float %18, %18
	%20 = fadd float %13, %19
	%21 = add i64 %12, 1
	br label %loop7

exit9:
	%22 = fmul float %13, 0.125
	%23 = fadd float %22, 0x3EE4F8B580000000
	%24 = call float @llvm.sqrt.f32(float %23)
	%25 = fdiv float 1.0, %24
	br label %loop10

loop10:
	%26 = phi i64 [ 0, %exit9 ], [ %40, %body11 ]
	%27 = icmp slt i64 %26, 8
	br i1 %27, label %body11, label %exit12

body11:
	%28 = add i64 %2, %26
	%29 = getelementptr inbounds float, float* %x, i64 %28
	%30 = load float, float* %29, align 4
	%31 = fsub float %30, %11
	%32 = fmul float %31, %25
	%33 = getelementptr inbounds float, float* %gamma, i64 %26
	%34 = load float, float* %33, align 4
	%35 = fmul float %32, %34
	%36 = getelementptr inbounds float, float* %beta, i64 %26
	%37 = load float, float* %36, align 4
	%38 = fadd float %35, %37
	%39 = getelementptr inbounds float, float* %y, i64 %28
	store float %38, float* %39, align 4
	%40 = add i64 %26, 1
	br label %loop10

exit12:
	%41 = getelementptr inbounds float, float* %mean, i64 %0
	store float %11, float* %41, align 4
	%42 = getelementptr inbounds float, float* %rstd, i64 %0
	store float %25, float* %42, align 4
	%43 = add i64 %0, 1
	br label %loop1
}

declare float @llvm.sqrt.f32(float %0)

define void @gelu_fwd_n32(float* nocapture %x, float* nocapture %y) nounwind "target-cpu"="x86-64-v3" {
entry:
	br label %loop1

loop1:
	%0 = phi i64 [ 0, %entry ], [ %45, %body2 ]
	%1 = icmp slt i64 %0, 32
	br i1 %1, label %body2, label %exit3

body2:
	%2 = getelementptr inbounds float, float* %x, i64 %0
	%3 = load float, float* %2, align 4
	%4 = fmul float %3, %3
	%5 = fmul float %4, %3
	%6 = fmul float 0x3FA6E4E260000000, %5
	%7 = fadd float %3, %6
	%8 = fmul float 0x3FE9884540000000, %7
	%9 = fmul float %8, 2.0
	%10 = fcmp ogt float %9, 0xC055D33340000000
	%11 = select i1 %10, float %9, float 0xC055D33340000000
	%12 = fcmp olt float %11, 0x40562CCCC0000000
	%13 = select i1 %12, float %11, float 0x40562CCCC0000000
	%14 = fmul float %13, 0x3FF7154760000000
	%15 = fadd float %14, 0.5
	%16 = call float @llvm.floor.f32(float %15)
	%17 = fmul float %16, 0x3FE62E4000000000
	%18 = fsub float %13, %17
	%19 = fmul float %16, 0x3EB7F7D1C0000000
	%20 = fsub float %18, %19
	%21 = fmul float 0x3F56C16C20000000, %20
	%22 = fadd float %21, 0x3F81111120000000
	%23 = fmul float %22, %20
	%24 = fadd float %23, 0x3FA5555560000000
	%25 = fmul float %24, %20
	%26 = fadd float %25, 0x3FC5555560000000
	%27 = fmul float %26, %20
	%28 = fadd float %27, 0.5
	%29 = fmul float %28, %20
	%30 = fadd float %29, 1.0
	%31 = fmul float %30, %20
	%32 = fadd float %31, 1.0
	%33 = fptosi float %16 to i32
	%34 = add i32 %33, 127
	%35 = shl i32 %34, 23
	%36 = bitcast i32 %35 to float
	%37 = fmul float %32, %36
	%38 = fadd float %37, 1.0
	%39 = fdiv float 2.0, %38
	%40 = fsub float 1.0, %39
	%41 = fmul float 0.5, %3
	%42 = fadd float 1.0, %40
	%43 = fmul float %41, %42
	%44 = getelementptr inbounds float, float* %y, i64 %0
	store float %43, float* %44, align 4
	%45 = add i64 %0, 1
	br label %loop1

exit3:
	ret void
}

declare float @llvm.floor.f32(float %0)

define void @attention_fwd_b1_h2_q4_k4_d8(float* nocapture noalias %q, float* nocapture noalias %k, float* nocapture noalias %v, float* nocapture noalias %o, float* nocapture noalias %lse) nounwind "target-cpu"="x86-64-v3" {
entry:
	br label %loop1

loop1:
	%0 = phi i64 [ 0, %entry ], [ %210, %join26 ]
	%1 = icmp slt i64 %0, 8
	br i1 %1, label %body2, label %exit3

body2:
	%2 = sdiv i64 %0, 4
	%3 = srem i64 %0, 4
	%4 = mul i64 %0, 8
	%5 = mul i64 %0, 8
	%6 = mul i64 %2, 32
	%7 = add i64 %3, 1
	%8 = icmp slt i64 %7, 0
	%9 = select i1 %8, i64 0, i64 %7
	%10 = icmp slt i64 %9, 4
	%11 = select i1 %10, i64 %9, i64 4
	br label %loop4

exit3:
	ret void

loop4:
	%12 = phi i64 [ 0, %body2 ], [ %16, %body5 ]
	%13 = icmp slt i64 %12, 8
	br i1 %13, label %body5, label %exit6

body5:
	%14 = add i64 %5, %12
	%15 = getelementptr inbounds float, float* %o, i64 %14
	store float 0.0, float* %15, align 4
	%16 = add i64 %12, 1
	br label %loop4

exit6:
	br label %loop7

loop7:
	%17 = phi i64 [ 0, %exit6 ], [ %70, %exit12 ]
	%18 = phi float [ 0xC7EC363CC0000000, %exit6 ], [ %69, %exit12 ]
	%19 = icmp slt i64 %17, %11
	br i1 %19, label %body8, label %exit9

body8:
	%20 = mul i64 %17, 8
	%21 = add i64 %6, %20
	br label %loop10

exit9:
	br label %loop13

loop10:
	%22 = phi i64 [ 0, %body8 ], [ %63, %body11 ]
	%23 = phi float [ 0.0, %body8 ], [ %35, %body11 ]
	%24 = phi float [ 0.0, %body8 ], [ %44, %body11 ]
	%25 = phi float [ 0.0, %body8 ], [ %53, %body11 ]
	%26 = phi float [ 0.0, %body8 ], [ %62, %body11 ]
	%27 = icmp slt i64 %22, 8
	br i1 %27, label %body11, label %exit12

body11:
	%28 = add i64 %4, %22
	%29 = getelementptr inbounds float, float* %q, i64 %28
	%30 = load float, float* %29, align 4
	%31 = add i64 %21, %22
	%32 = getelementptr inbounds float, float* %k, i64 %31
	%33 = load float, float* %32, align 4
	%34 = fmul float %30, %33
	%35 = fadd float %23, %34
	%36 = add i64 %22, 1
	%37 = add i64 %4, %36
	%38 = getelementptr inbounds float, float* %q, i64 %37
	%39 = load float, float* %38, align 4
	%40 = add i64 %21, %36
	%41 = getelementptr inbounds float, float* %k, i64 %40
	%42 = load float, float* %41, align 4
	%43 = fmul float %39, %42
	%44 = fadd float %24, %43
	%45 = add i64 %22, 2
	%46 = add i64 %4, %45
	%47 = getelementptr inbounds float, float* %q, i64 %46
	%48 = load float, float* %47, align 4
	%49 = add i64 %21, %45
	%50 = getelementptr inbounds float, float* %k, i64 %49
	%51 = load float, float* %50, align 4
	%52 = fmul float %48, %51
	%53 = fadd float %25, %52
	%54 = add i64 %22, 3
	%55 = add i64 %4, %54
	%56 = getelementptr inbounds float, float* %q, i64 %55
	%57 = load float, float* %56, align 4
	%58 = add i64 %21, %54
	%59 = getelementptr inbounds float, float* %k, i64 %58
	%60 = load float, float* %59, align 4
	%61 = fmul float %57, %60
	%62 = fadd float %26, %61
	%63 = add i64 %22, 4
	br label %loop10

exit12:
	%64 = fadd float %23, %24
	%65 = fadd float %25, %26
	%66 = fadd float %64, %65
	%67 = fmul float %66, 0x3FD6A09E60000000
	%68 = fcmp ogt float %18, %67
	%69 = select i1 %68, float %18, float %67
	%70 = add i64 %17, 1
	br label %loop7

loop13:
	%71 = phi i64 [ 0, %exit9 ], [ %167, %exit21 ]
	%72 = phi float [ 0.0, %exit9 ], [ %166, %exit21 ]
	%73 = icmp slt i64 %71, %11
	br i1 %73, label %body14, label %exit15

body14:
	%74 = mul i64 %71, 8
	%75 = add i64 %6, %74
	br label %loop16

exit15:
	%76 = icmp eq i64 %11, 0
	%77 = fdiv float 1.0, %72
	br label %loop22

loop16:
	%78 = phi i64 [ 0, %body14 ], [ %119, %body17 ]
	%79 = phi float [ 0.0, %body14 ], [ %91, %body17 ]
	%80 = phi float [ 0.0, %body14 ], [ %100, %body17 ]
	%81 = phi float [ 0.0, %body14 ], [ %109, %body17 ]
	%82 = phi float [ 0.0, %body14 ], [ %118, %body17 ]
	%83 = icmp slt i64 %78, 8
	br i1 %83, label %body17, label %exit18

body17:
	%84 = add i64 %4, %78
	%85 = getelementptr inbounds float, float* %q, i64 %84
	%86 = load float, float* %85, align 4
	%87 = add i64 %75, %78
	%88 = getelementptr inbounds float, float* %k, i64 %87
	%89 = load float, float* %88, align 4
	%90 = fmul float %86, %89
	%91 = fadd float %79, %90
	%92 = add i64 %78, 1
	%93 = add i64 %4, %92
	%94 = getelementptr inbounds float, float* %q, i64 %93
	%95 = load float, float* %94, align 4
	%96 = add i64 %75, %92
	%97 = getelementptr inbounds float, float* %k, i64 %96
	%98 = load float, float* %97, align 4
	%99 = fmul float %95, %98
	%100 = fadd float %80, %99
	%101 = add i64 %78, 2
	%102 = add i64 %4, %101
	%103 = getelementptr inbounds float, float* %q, i64 %102
	%104 = load float, float* %103, align 4
	%105 = add i64 %75, %101
	%106 = getelementptr inbounds float, float* %k, i64 %105
	%107 = load float, float* %106, align 4
	%108 = fmul float %104, %107
	%109 = fadd float %81, %108
	%110 = add i64 %78, 3
	%111 = add i64 %4, %110
	%112 = getelementptr inbounds float, float* %q, i64 %111
	%113 = load float, float* %112, align 4
	%114 = add i64 %75, %110
	%115 = getelementptr inbounds float, float* %k, i64 %114
	%116 = load float, float* %115, align 4
	%117 = fmul float %113, %116
	%118 = fadd float %82, %117
	%119 = add i64 %78, 4
	br label %loop16

exit18:
	%120 = fadd float %79, %80
	%121 = fadd float %81, %82
	%122 = fadd float %120, %121
	%123 = fmul float %122, 0x3FD6A09E60000000
	%124 = fsub float %123, %18
	%125 = fcmp ogt float %124, 0xC055D33340000000
	%126 = select i1 %125, float %124, float 0xC055D33340000000
	%127 = fcmp olt float %126, 0x40562CCCC0000000
	%128 = select i1 %127, float %126, float 0x40562CCCC0000000
	%129 = fmul float %128, 0x3FF7154760000000
	%130 = fadd float %129, 0.5
	%131 = call float @llvm.floor.f32(float %130)
	%132 = fmul float %131, 0x3FE62E4000000000
	%133 = fsub float %128, %132
	%134 = fmul float %131, 0x3EB7F7D1C0000000
	%135 = fsub float %133, %134
	%136 = fmul float 0x3F56C16C20000000, %135
	%137 = fadd float %136, 0x3F81111120000000
	%138 = fmul float %137, %135
	%139 = fadd float %138, 0x3FA5555560000000
	%140 = fmul float %139, %135
	%141 = fadd float %140, 0x3FC5555560000000
	%142 = fmul float %141, %135
	%143 = fadd float %142, 0.5
	%144 = fmul float %143, %135
	%145 = fadd float %144, 1.0
	%146 = fmul float %145, %135
	%147 = fadd float %146, 1.0
	%148 = fptosi float %131 to i32
	%149 = add i32 %148, 127
	%150 = shl i32 %149, 23
	%151 = bitcast i32 %150 to float
	%152 = fmul float %147, %151
	%153 = mul i64 %71, 8
	%154 = add i64 %6, %153
	br label %loop19

loop19:
	%155 = phi i64 [ 0, %exit18 ], [ %165, %body20 ]
	%156 = icmp slt i64 %155, 8
	br i1 %156, label %body20, label %exit21

body20:
	%157 = add i64 %5, %155
	%158 = add i64 %154, %155
	%159 = getelementptr inbounds float, float* %v, i64 %158
	%160 = load float, float* %159, align 4
	%161 = fmul float %152, %160
	%162 = getelementptr inbounds float, float* %o, i64 %157
	%163 = load float, float* %162, align 4
	%164 = fadd float %163, %161
	store float %164, float* %162, align 4
	%165 = add i64 %155, 1
	br label %loop19

exit21:
	%166 = fadd float %72, %152
	%167 = add i64 %71, 1
	br label %loop13

loop22:
	%168 = phi i64 [ 0, %exit15 ], [ %176, %body23 ]
	%169 = icmp slt i64 %168, 8
	br i1 %169, label %body23, label %exit24

body23:
	%170 = add i64 %5, %168
	%171 = add i64 %5, %168
	%172 = getelementptr inbounds float, float* %o, i64 %171
	%173 = load float, float* %172, align 4
	%174 = fmul float %173, %77
	%175 = getelementptr inbounds float, float* %o, i64 %170
	store float %174, float* %175, align 4
	%176 = add i64 %168, 1
	br label %loop22

exit24:
	%177 = bitcast float %72 to i32
	%178 = lshr i32 %177, 23
	%179 = sub i32 %178, 127
	%180 = and i32 %177, u0x7FFFFF
	%181 = or i32 %180, 1065353216
	%182 = bitcast i32 %181 to float
	%183 = fcmp ogt float %182, 0x3FF6A09E60000000
	%184 = fmul float %182, 0.5
	%185 = select i1 %183, float %184, float %182
	%186 = add i32 %179, 1
	%187 = select i1 %183, i32 %186, i32 %179
	%188 = fsub float %185, 1.0
	%189 = fadd float %185, 1.0
	%190 = fdiv float %188, %189
	%191 = fmul float %190, %190
	%192 = fmul float 0x3FB745D180000000, %191
	%193 = fadd float %192, 0x3FBC71C720000000
	%194 = fmul float %193, %191
	%195 = fadd float %194, 0x3FC24924A0000000
	%196 = fmul float %195, %191
	%197 = fadd float %196, 0x3FC99999A0000000
	%198 = fmul float %197, %191
	%199 = fadd float %198, 0x3FD5555560000000
	%200 = fmul float %199, %191
	%201 = fadd float %200, 1.0
	%202 = fmul float 2.0, %190
	%203 = fmul float %202, %201
	%204 = sitofp i32 %187 to float
	%205 = fmul float %204, 0x3FE62E4300000000
	%206 = fadd float %205, %203
	%207 = fadd float %18, %206
	%208 = select i1 %76, float 0xFFF0000000000000, float %207
	br i1 %76, label %then25, label %join26

then25:
	br label %loop27

join26:
	%209 = getelementptr inbounds float, float* %lse, i64 %0
	store float %208, float* %209, align 4
	%210 = add i64 %0, 1
	br label %loop1

loop27:
	%211 = phi i64 [ 0, %then25 ], [ %215, %body28 ]
	%212 = icmp slt i64 %211, 8
	br i1 %212, label %body28, label %exit29

body28:
	%213 = add i64 %5, %211
	%214 = getelementptr inbounds float, float* %o, i64 %213
	store float 0.0, float* %214, align 4
	%215 = add i64 %211, 1
	br label %loop27

exit29:
	br label %join26
}

define void @router_topk_t4_e4_k2(float* nocapture %logits, float* nocapture %probs, i32* nocapture %idx, float* nocapture %w) nounwind "target-cpu"="x86-64-v3" {
entry:
	br label %loop1

loop1:
	%0 = phi i64 [ 0, %entry ], [ %65, %exit15 ]
	%1 = icmp slt i64 %0, 4
	br i1 %1, label %body2, label %exit3

body2:
	%2 = mul i64 %0, 4
	br label %loop4

exit3:
	ret void

loop4:
	%3 = phi i64 [ 0, %body2 ], [ %11, %body5 ]
	%4 = phi float [ 0xC7EC363CC0000000, %body2 ], [ %10, %body5 ]
	%5 = icmp slt i64 %3, 4
	br i1 %5, label %body5, label %exit6

body5:
	%6 = add i64 %2, %3
	%7 = getelementptr inbounds float, float* %logits, i64 %6
	%8 = load float, float* %7, align 4
	%9 = fcmp ogt float %4, %8
	%10 = select i1 %9, float %4, float %8
	%11 = add i64 %3, 1
	br label %loop4

exit6:
	br label %loop7

loop7:
	%12 = phi i64 [ 0, %exit6 ], [ %50, %body8 ]
	%13 = phi float [ 0.0, %exit6 ], [ %49, %body8 ]
	%14 = icmp slt i64 %12, 4
	br i1 %14, label %body8, label %exit9

body8:
	%15 = add i64 %2, %12
	%16 = getelementptr inbounds float, float* %logits, i64 %15
	%17 = load float, float* %16, align 4
	%18 = fsub float %17, %4
	%19 = fcmp ogt float %18, 0xC055D33340000000
	%20 = select i1 %19, float %18, float 0xC055D33340000000
	%21 = fcmp olt float %20, 0x40562CCCC0000000
	%22 = select i1 %21, float %20, float 0x40562CCCC0000000
	%23 = fmul float %22, 0x3FF7154760000000
	%24 = fadd float %23, 0.5
	%25 = call float @llvm.floor.f32(float %24)
	%26 = fmul float %25, 0x3FE62E4000000000
	%27 = fsub float %22, %26
	%28 = fmul float %25, 0x3EB7F7D1C0000000
	%29 = fsub float %27, %28
	%30 = fmul float 0x3F56C16C20000000, %29
	%31 = fadd float %30, 0x3F81111120000000
	%32 = fmul float %31, %29
	%33 = fadd float %32, 0x3FA5555560000000
	%34 = fmul float %33, %29
	%35 = fadd float %34, 0x3FC5555560000000
	%36 = fmul float %35, %29
	%37 = fadd float %36, 0.5
	%38 = fmul float %37, %29
	%39 = fadd float %38, 1.0
	%40 = fmul float %39, %29
	%41 = fadd float %40, 1.0
	%42 = fptosi float %25 to i32
	%43 = add i32 %42, 127
	%44 = shl i32 %43, 23
	%45 = bitcast i32 %44 to float
	%46 = fmul float %41, %45
	%47 = add i64 %2, %12
	%48 = getelementptr inbounds float, float* %probs, i64 %47
	store float %46, float* %48, align 4
	%49 = fadd float %13, %46
	%50 = add i64 %12, 1
	br label %loop7

exit9:
	%51 = fdiv float 1.0, %13
	br label %loop10

loop10:
	%52 = phi i64 [ 0, %exit9 ], [ %60, %body11 ]
	%53 = icmp slt i64 %52, 4
	br i1 %53, label %body11, label %exit12

body11:
	%54 = add i64 %2, %52
	%55 = add i64 %2, %52
	%56 = getelementptr inbounds float, float* %probs, i64 %55
	%57 = load float, float* %56, align 4
	%58 = fmul float %57, %51
	%59 = getelementptr inbounds float, float* %probs, i64 %54
	store float %58, float* %59, align 4
	%60 = add i64 %52, 1
	br label %loop10

exit12:
	%61 = mul i64 %0, 2
	br label %loop13

loop13:
	%62 = phi i64 [ 0, %exit12 ], [ %76, %exit18 ]
	%63 = phi float [ 0.0, %exit12 ], [ %75, %exit18 ]
	%64 = icmp slt i64 %62, 2
	br i1 %64, label %body14, label %exit15

body14:
	br label %loop16

exit15:
	%65 = add i64 %0, 1
	br label %loop1

loop16:
	%66 = phi i64 [ 0, %body14 ], [ %95, %exit21 ]
	%67 = phi i64 [ -1, %body14 ], [ %93, %exit21 ]
	%68 = phi float [ -1.0, %body14 ], [ %94, %exit21 ]
	%69 = icmp slt i64 %66, 4
	br i1 %69, label %body17, label %exit18

body17:
	br label %loop19

exit18:
	%70 = add i64 %61, %62
	%71 = trunc i64 %67 to i32
	%72 = getelementptr inbounds i32, i32* %idx, i64 %70
	store i32 %71, i32* %72, align 4
	%73 = add i64 %61, %62
	%74 = getelementptr inbounds float, float* %w, i64 %73
	store float %68, float* %74, align 4
	%75 = fadd float %63, %68
	%76 = add i64 %62, 1
	br label %loop13

loop19:
	%77 = phi i64 [ 0, %body17 ], [ %86, %body20 ]
	%78 = phi i1 [ false, %body17 ], [ %85, %body20 ]
	%79 = icmp slt i64 %77, %62
	br i1 %79, label %body20, label %exit21

body20:
	%80 = add i64 %61, %77
	%81 = getelementptr inbounds i32, i32* %idx, i64 %80
	%82 = load i32, i32* %81, align 4
	%83 = sext i32 %82 to i64
	%84 = icmp eq i64 %83, %66
	%85 = or i1 %78, %84
	%86 = add i64 %77, 1
	br label %loop19

exit21:
	%87 = add i64 %2, %66
	%88 = getelementptr inbounds float, float* %probs, i64 %87
	%89 = load float, float* %88, align 4
	%90 = xor i1 %78, true
	%91 = fcmp ogt float %89, %68
	%92 = and i1 %90, %91
	%93 = select i1 %92, i64 %66, i64 %67
	%94 = select i1 %92, float %89, float %68
	%95 = add i64 %66, 1
	br label %loop16
}

define void @permute_t4_k2_w8(float* nocapture %x, i32* nocapture %pos, float* nocapture %out) nounwind "target-cpu"="x86-64-v3" {
entry:
	br label %loop1

loop1:
	%0 = phi i64 [ 0, %entry ], [ %16, %join5 ]
	%1 = icmp slt i64 %0, 64
	br i1 %1, label %body2, label %exit3

body2:
	%2 = sdiv i64 %0, 8
	%3 = srem i64 %0, 8
	%4 = sdiv i64 %2, 2
	%5 = getelementptr inbounds i32, i32* %pos, i64 %2
	%6 = load i32, i32* %5, align 4
	%7 = sext i32 %6 to i64
	%8 = icmp sge i64 %7, 0
	br i1 %8, label %then4, label %join5

exit3:
	ret void

then4:
	%9 = mul i64 %7, 8
	%10 = add i64 %9, %3
	%11 = mul i64 %4, 8
	%12 = add i64 %11, %3
	%13 = getelementptr inbounds float, float* %x, i64 %12
	%14 = load float, float* %13, align 4
	%15 = getelementptr inbounds float, float* %out, i64 %10
	store float %14, float* %15, align 4
	br label %join5

join5:
	%16 = add i64 %0, 1
	br label %loop1
}

define void @adamw_b0p9_0p95_e1em08(float* nocapture %p, float* nocapture %g, float* nocapture %m, float* nocapture %v, float* nocapture %hp, i64 %n) nounwind "target-cpu"="x86-64-v3" {
entry:
	br label %loop1

loop1:
	%0 = phi i64 [ 0, %entry ], [ %40, %body2 ]
	%1 = icmp slt i64 %0, %n
	br i1 %1, label %body2, label %exit3

body2:
	%2 = load float, float* %hp, align 4
	%3 = getelementptr inbounds float, float* %hp, i64 1
	%4 = load float, float* %3, align 4
	%5 = getelementptr inbounds float, float* %hp, i64 2
	%6 = load float, float* %5, align 4
	%7 = getelementptr inbounds float, float* %hp, i64 3
	%8 = load float, float* %7, align 4
	%9 = getelementptr inbounds float, float* %hp, i64 4
	%10 = load float, float* %9, align 4
	%11 = getelementptr inbounds float, float* %g, i64 %0
	%12 = load float, float* %11, align 4
	%13 = fmul float %12, %10
	%14 = getelementptr inbounds float, float* %m, i64 %0
	%15 = load float, float* %14, align 4
	%16 = fmul float 0x3FECCCCCC0000000, %15
	%17 = fmul float 0x3FB99999A0000000, %13
	%18 = fadd float %16, %17
	%19 = getelementptr inbounds float, float* %v, i64 %0
	%20 = load float, float* %19, align 4
	%21 = fmul float 0x3FEE666660000000, %20
	%22 = fmul float %13, %13
	%23 = fmul float 0x3FA99999A0000000, %22
	%24 = fadd float %21, %23
	%25 = getelementptr inbounds float, float* %m, i64 %0
	store float %18, float* %25, align 4
	%26 = getelementptr inbounds float, float* %v, i64 %0
	store float %24, float* %26, align 4
	%27 = getelementptr inbounds float, float* %p, i64 %0
	%28 = load float, float* %27, align 4
	%29 = fmul float %2, %4
	%30 = fsub float 1.0, %29
	%31 = fmul float %28, %30
	%32 = fdiv float %18, %6
	%33 = fdiv float %24, %8
	%34 = call float @llvm.sqrt.f32(float %33)
	%35 = fadd float %34, 0x3E45798EE0000000
	%36 = fdiv float %32, %35
	%37 = fmul float %2, %36
	%38 = fsub float %31, %37
	%39 = getelementptr inbounds float, float* %p, i64 %0
	store float %38, float* %39, align 4
	%40 = add i64 %0, 1
	br label %loop1

exit3:
	ret void
}
