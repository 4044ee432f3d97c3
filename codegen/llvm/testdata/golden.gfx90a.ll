source_filename = "golden"
target datalayout = "e-p:64:64-p1:64:64-p2:32:32-p3:32:32-p4:64:64-p5:32:32-p6:32:32-i64:64-v16:16-v24:32-v32:32-v48:64-v96:128-v192:256-v256:256-v512:512-v1024:1024-v2048:2048-n32:64-S32-A5-G1-ni:7"
target triple = "amdgcn-amd-amdhsa"

define amdgpu_kernel void @matmul_nn_m12_k16_n24_bias(float addrspace(1)* nocapture %a, float addrspace(1)* nocapture %b, float addrspace(1)* nocapture %bias, float addrspace(1)* nocapture %c) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, 288
	br i1 %6, label %then1, label %join2

then1:
	%7 = sdiv i64 %5, 24
	%8 = srem i64 %5, 24
	br label %loop3

join2:
	ret void

loop3:
	%9 = phi i64 [ 0, %then1 ], [ %21, %body4 ]
	%10 = phi float [ 0.0, %then1 ], [ %20, %body4 ]
	%11 = icmp slt i64 %9, 16
	br i1 %11, label %body4, label %exit5

body4:
	%12 = mul i64 %7, 16
	%13 = add i64 %12, %9
	%14 = getelementptr inbounds float, float addrspace(1)* %a, i64 %13
	%15 = load float, float addrspace(1)* %14, align 4
	%16 = mul i64 %9, 24
	%17 = add i64 %16, %8
	%18 = getelementptr inbounds float, float addrspace(1)* %b, i64 %17
	%19 = load float, float addrspace(1)* %18, align 4
	%20 = call float @llvm.fma.f32(float %15, float %19, float %10)
	%21 = add i64 %9, 1
	br label %loop3

exit5:
	%22 = getelementptr inbounds float, float addrspace(1)* %bias, i64 %8
	%23 = load float, float addrspace(1)* %22, align 4
	%24 = fadd float %10, %23
	%25 = getelementptr inbounds float, float addrspace(1)* %c, i64 %5
	store float %24, float addrspace(1)* %25, align 4
	br label %join2
}

declare i32 @llvm.amdgcn.workitem.id.x()

declare i32 @llvm.amdgcn.workgroup.id.x()

declare float @llvm.fma.f32(float %0, float %1, float %2)

define amdgpu_kernel void @matmul_nt_m12_k16_n24(float addrspace(1)* nocapture %a, float addrspace(1)* nocapture %b, float addrspace(1)* nocapture %c) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, 288
	br i1 %6, label %then1, label %join2

then1:
	%7 = sdiv i64 %5, 24
	%8 = srem i64 %5, 24
	br label %loop3

join2:
	ret void

loop3:
	%9 = phi i64 [ 0, %then1 ], [ %21, %body4 ]
	%10 = phi float [ 0.0, %then1 ], [ %20, %body4 ]
	%11 = icmp slt i64 %9, 16
	br i1 %11, label %body4, label %exit5

body4:
	%12 = mul i64 %7, 16
	%13 = add i64 %12, %9
	%14 = getelementptr inbounds float, float addrspace(1)* %a, i64 %13
	%15 = load float, float addrspace(1)* %14, align 4
	%16 = mul i64 %8, 16
	%17 = add i64 %16, %9
	%18 = getelementptr inbounds float, float addrspace(1)* %b, i64 %17
	%19 = load float, float addrspace(1)* %18, align 4
	%20 = call float @llvm.fma.f32(float %15, float %19, float %10)
	%21 = add i64 %9, 1
	br label %loop3

exit5:
	%22 = getelementptr inbounds float, float addrspace(1)* %c, i64 %5
	store float %10, float addrspace(1)* %22, align 4
	br label %join2
}

define amdgpu_kernel void @layernorm_fwd_r4_w8(float addrspace(1)* nocapture %x, float addrspace(1)* nocapture %gamma, float addrspace(1)* nocapture %beta, float addrspace(1)* nocapture %y, float addrspace(1)* nocapture %mean, float addrspace(1)* nocapture %rstd) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, 4
	br i1 %6, label %then1, label %join2

then1:
	%7 = mul i64 %5, 8
	br label %loop3

join2:
	ret void

loop3:
	%8 = phi i64 [ 0, %then1 ], [ %15, %body4 ]
	%9 = phi float [ 0.0, %then1 ], [ %14, %body4 ]
	%10 = icmp slt i64 %8, 8
	br i1 %10, label %body4, label %exit5

body4:
	%11 = add i64 %7, %8
	%12 = getelementptr inbounds float, float addrspace(1)* %x, i64 %11
	%13 = load float, float addrspace(1)* %12, align 4
	%14 = fadd float %9, %13
	%15 = add i64 %8, 1
	br label %loop3

exit5:
	%16 = fmul float %9, 0.125
	br label %loop6

loop6:
	%17 = phi i64 [ 0, %exit5 ], [ %26, %body7 ]
	%18 = phi float [ 0.0, %exit5 ], [ %25, %body7 ]
	%19 = icmp slt i64 %17, 8
	br i1 %19, label %body7, label %exit8

body7:
	%20 = add i64 %7, %17
	%21 = getelementptr inbounds float, float addrspace(1)* %x, i64 %20
	%22 = load float, float addrspace(1)* %21, align 4
	%23 = fsub float %22, %16
	%24 = fmul float %23, %23
	%25 = fadd float %18, %24
	%26 = add i64 %17, 1
	br label %loop6

exit8:
	%27 = fmul float %18, 0.125
	%28 = fadd float %27, 0x3EE4F8B580000000
	%29 = call float @llvm.sqrt.f32(float %28)
	%30 = fdiv float 1.0, %29
	br label %loop9

loop9:
	%31 = phi i64 [ 0, %exit8 ], [ %45, %body10 ]
	%32 = icmp slt i64 %31, 8
	br i1 %32, label %body10, label %exit11

body10:
	%33 = add i64 %7, %31
	%34 = getelementptr inbounds float, float addrspace(1)* %x, i64 %33
	%35 = load float, float addrspace(1)* %34, align 4
	%36 = fsub float %35, %16
	%37 = fmul float %36, %30
	%38 = getelementptr inbounds float, float addrspace(1)* %gamma, i64 %31
	%39 = load float, float addrspace(1)* %38, align 4
	%40 = fmul float %37, %39
	%41 = getelementptr inbounds float, float addrspace(1)* %beta, i64 %31
	%42 = load float, float addrspace(1)* %41, align 4
	%43 = fadd float %40, %42
	%44 = getelementptr inbounds float, float addrspace(1)* %y, i64 %33
	store float %43, float addrspace(1)* %44, align 4
	%45 = add i64 %31, 1
	br label %loop9

exit11:
	%46 = getelementptr inbounds float, float addrspace(1)* %mean, i64 %5
	store float %16, float addrspace(1)* %46, align 4
	%47 = getelementptr inbounds float, float addrspace(1)* %rstd, i64 %5
	store float %30, float addrspace(1)* %47, align 4
	br label %join2
}

declare float @llvm.sqrt.f32(float %0)

define amdgpu_kernel void @gelu_fwd_n32(float addrspace(1)* nocapture %x, float addrspace(1)* nocapture %y) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, 32
	br i1 %6, label %then1, label %join2

then1:
	%7 = getelementptr inbounds float, float addrspace(1)* %x, i64 %5
	%8 = load float, float addrspace(1)* %7, align 4
	%9 = fmul float %8, %8
	%10 = fmul float %9, %8
	%11 = fmul float 0x3FA6E4E260000000, %10
	%12 = fadd float %8, %11
	%13 = fmul float 0x3FE9884540000000, %12
	%14 = fmul float %13, 2.0
	%15 = fcmp ogt float %14, 0xC055D33340000000
	%16 = select i1 %15, float %14, float 0xC055D33340000000
	%17 = fcmp olt float %16, 0x40562CCCC0000000
	%18 = select i1 %17, float %16, float 0x40562CCCC0000000
	%19 = fmul float %18, 0x3FF7154760000000
	%20 = fadd float %19, 0.5
	%21 = call float @llvm.floor.f32(float %20)
	%22 = fmul float %21, 0x3FE62E4000000000
	%23 = fsub float %18, %22
	%24 = fmul float %21, 0x3EB7F7D1C0000000
	%25 = fsub float %23, %24
	%26 = fmul float 0x3F56C16C20000000, %25
	%27 = fadd float %26, 0x3F81111120000000
	%28 = fmul float %27, %25
	%29 = fadd float %28, 0x3FA5555560000000
	%30 = fmul float %29, %25
	%31 = fadd float %30, 0x3FC5555560000000
	%32 = fmul float %31, %25
	%33 = fadd float %32, 0.5
	%34 = fmul float %33, %25
	%35 = fadd float %34, 1.0
	%36 = fmul float %35, %25
	%37 = fadd float %36, 1.0
	%38 = fptosi float %21 to i32
	%39 = add i32 %38, 127
	%40 = shl i32 %39, 23
	%41 = bitcast i32 %40 to float
	%42 = fmul float %37, %41
	%43 = fadd float %42, 1.0
	%44 = fdiv float 2.0, %43
	%45 = fsub float 1.0, %44
	%46 = fmul float 0.5, %8
	%47 = fadd float 1.0, %45
	%48 = fmul float %46, %47
	%49 = getelementptr inbounds float, float addrspace(1)* %y, i64 %5
	store float %48, float addrspace(1)* %49, align 4
	br label %join2

join2:
	ret void
}

declare float @llvm.floor.f32(float %0)

define amdgpu_kernel void @attention_fwd_b1_h2_q4_k4_d8(float addrspace(1)* nocapture noalias %q, float addrspace(1)* nocapture noalias %k, float addrspace(1)* nocapture noalias %v, float addrspace(1)* nocapture noalias %o, float addrspace(1)* nocapture noalias %lse) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, 8
	br i1 %6, label %then1, label %join2

then1:
	%7 = sdiv i64 %5, 4
	%8 = srem i64 %5, 4
	%9 = mul i64 %5, 8
	%10 = mul i64 %5, 8
	%11 = mul i64 %7, 32
	%12 = add i64 %8, 1
	%13 = icmp slt i64 %12, 0
	%14 = select i1 %13, i64 0, i64 %12
	%15 = icmp slt i64 %14, 4
	%16 = select i1 %15, i64 %14, i64 4
	br label %loop3

join2:
	ret void

loop3:
	%17 = phi i64 [ 0, %then1 ], [ %21, %body4 ]
	%18 = icmp slt i64 %17, 8
	br i1 %18, label %body4, label %exit5

body4:
	%19 = add i64 %10, %17
	%20 = getelementptr inbounds float, float addrspace(1)* %o, i64 %19
	store float 0.0, float addrspace(1)* %20, align 4
	%21 = add i64 %17, 1
	br label %loop3

exit5:
	br label %loop6

loop6:
	%22 = phi i64 [ 0, %exit5 ], [ %75, %exit11 ]
	%23 = phi float [ 0xC7EC363CC0000000, %exit5 ], [ %74, %exit11 ]
	%24 = icmp slt i64 %22, %16
	br i1 %24, label %body7, label %exit8

body7:
	%25 = mul i64 %22, 8
	%26 = add i64 %11, %25
	br label %loop9

exit8:
	br label %loop12

loop9:
	%27 = phi i64 [ 0, %body7 ], [ %68, %body10 ]
	%28 = phi float [ 0.0, %body7 ], [ %40, %body10 ]
	%29 = phi float [ 0.0, %body7 ], [ %49, %body10 ]
	%30 = phi float [ 0.0, %body7 ], [ %58, %body10 ]
	%31 = phi float [ 0.0, %body7 ], [ %67, %body10 ]
	%32 = icmp slt i64 %27, 8
	br i1 %32, label %body10, label %exit11

body10:
	%33 = add i64 %9, %27
	%34 = getelementptr inbounds float, float addrspace(1)* %q, i64 %33
	%35 = load float, float addrspace(1)* %34, align 4
	%36 = add i64 %26, %27
	%37 = getelementptr inbounds float, float addrspace(1)* %k, i64 %36
	%38 = load float, float addrspace(1)* %37, align 4
	%39 = fmul float %35, %38
	%40 = fadd float %28, %39
	%41 = add i64 %27, 1
	%42 = add i64 %9, %41
	%43 = getelementptr inbounds float, float addrspace(1)* %q, i64 %42
	%44 = load float, float addrspace(1)* %43, align 4
	%45 = add i64 %26, %41
	%46 = getelementptr inbounds float, float addrspace(1)* %k, i64 %45
	%47 = load float, float addrspace(1)* %46, align 4
	%48 = fmul float %44, %47
	%49 = fadd float %29, %48
	%50 = add i64 %27, 2
	%51 = add i64 %9, %50
	%52 = getelementptr inbounds float, float addrspace(1)* %q, i64 %51
	%53 = load float, float addrspace(1)* %52, align 4
	%54 = add i64 %26, %50
	%55 = getelementptr inbounds float, float addrspace(1)* %k, i64 %54
	%56 = load float, float addrspace(1)* %55, align 4
	%57 = fmul float %53, %56
	%58 = fadd float %30, %57
	%59 = add i64 %27, 3
	%60 = add i64 %9, %59
	%61 = getelementptr inbounds float, float addrspace(1)* %q, i64 %60
	%62 = load float, float addrspace(1)* %61, align 4
	%63 = add i64 %26, %59
	%64 = getelementptr inbounds float, float addrspace(1)* %k, i64 %63
	%65 = load float, float addrspace(1)* %64, align 4
	%66 = fmul float %62, %65
	%67 = fadd float %31, %66
	%68 = add i64 %27, 4
	br label %loop9

exit11:
	%69 = fadd float %28, %29
	%70 = fadd float %30, %31
	%71 = fadd float %69, %70
	%72 = fmul float %71, 0x3FD6A09E60000000
	%73 = fcmp ogt float %23, %72
	%74 = select i1 %73, float %23, float %72
	%75 = add i64 %22, 1
	br label %loop6

loop12:
	%76 = phi i64 [ 0, %exit8 ], [ %172, %exit20 ]
	%77 = phi float [ 0.0, %exit8 ], [ %171, %exit20 ]
	%78 = icmp slt i64 %76, %16
	br i1 %78, label %body13, label %exit14

body13:
	%79 = mul i64 %76, 8
	%80 = add i64 %11, %79
	br label %loop15

exit14:
	%81 = icmp eq i64 %16, 0
	%82 = fdiv float 1.0, %77
	br label %loop21

loop15:
	%83 = phi i64 [ 0, %body13 ], [ %124, %body16 ]
	%84 = phi float [ 0.0, %body13 ], [ %96, %body16 ]
	%85 = phi float [ 0.0, %body13 ], [ %105, %body16 ]
	%86 = phi float [ 0.0, %body13 ], [ %114, %body16 ]
	%87 = phi float [ 0.0, %body13 ], [ %123, %body16 ]
	%88 = icmp slt i64 %83, 8
	br i1 %88, label %body16, label %exit17

body16:
	%89 = add i64 %9, %83
	%90 = getelementptr inbounds float, float addrspace(1)* %q, i64 %89
	%91 = load float, float addrspace(1)* %90, align 4
	%92 = add i64 %80, %83
	%93 = getelementptr inbounds float, float addrspace(1)* %k, i64 %92
	%94 = load float, float addrspace(1)* %93, align 4
	%95 = fmul float %91, %94
	%96 = fadd float %84, %95
	%97 = add i64 %83, 1
	%98 = add i64 %9, %97
	%99 = getelementptr inbounds float, float addrspace(1)* %q, i64 %98
	%100 = load float, float addrspace(1)* %99, align 4
	%101 = add i64 %80, %97
	%102 = getelementptr inbounds float, float addrspace(1)* %k, i64 %101
	%103 = load float, float addrspace(1)* %102, align 4
	%104 = fmul float %100, %103
	%105 = fadd float %85, %104
	%106 = add i64 %83, 2
	%107 = add i64 %9, %106
	%108 = getelementptr inbounds float, float addrspace(1)* %q, i64 %107
	%109 = load float, float addrspace(1)* %108, align 4
	%110 = add i64 %80, %106
	%111 = getelementptr inbounds float, float addrspace(1)* %k, i64 %110
	%112 = load float, float addrspace(1)* %111, align 4
	%113 = fmul float %109, %112
	%114 = fadd float %86, %113
	%115 = add i64 %83, 3
	%116 = add i64 %9, %115
	%117 = getelementptr inbounds float, float addrspace(1)* %q, i64 %116
	%118 = load float, float addrspace(1)* %117, align 4
	%119 = add i64 %80, %115
	%120 = getelementptr inbounds float, float addrspace(1)* %k, i64 %119
	%121 = load float, float addrspace(1)* %120, align 4
	%122 = fmul float %118, %121
	%123 = fadd float %87, %122
	%124 = add i64 %83, 4
	br label %loop15

exit17:
	%125 = fadd float %84, %85
	%126 = fadd float %86, %87
	%127 = fadd float %125, %126
	%128 = fmul float %127, 0x3FD6A09E60000000
	%129 = fsub float %128, %23
	%130 = fcmp ogt float %129, 0xC055D33340000000
	%131 = select i1 %130, float %129, float 0xC055D33340000000
	%132 = fcmp olt float %131, 0x40562CCCC0000000
	%133 = select i1 %132, float %131, float 0x40562CCCC0000000
	%134 = fmul float %133, 0x3FF7154760000000
	%135 = fadd float %134, 0.5
	%136 = call float @llvm.floor.f32(float %135)
	%137 = fmul float %136, 0x3FE62E4000000000
	%138 = fsub float %133, %137
	%139 = fmul float %136, 0x3EB7F7D1C0000000
	%140 = fsub float %138, %139
	%141 = fmul float 0x3F56C16C20000000, %140
	%142 = fadd float %141, 0x3F81111120000000
	%143 = fmul float %142, %140
	%144 = fadd float %143, 0x3FA5555560000000
	%145 = fmul float %144, %140
	%146 = fadd float %145, 0x3FC5555560000000
	%147 = fmul float %146, %140
	%148 = fadd float %147, 0.5
	%149 = fmul float %148, %140
	%150 = fadd float %149, 1.0
	%151 = fmul float %150, %140
	%152 = fadd float %151, 1.0
	%153 = fptosi float %136 to i32
	%154 = add i32 %153, 127
	%155 = shl i32 %154, 23
	%156 = bitcast i32 %155 to float
	%157 = fmul float %152, %156
	%158 = mul i64 %76, 8
	%159 = add i64 %11, %158
	br label %loop18

loop18:
	%160 = phi i64 [ 0, %exit17 ], [ %170, %body19 ]
	%161 = icmp slt i64 %160, 8
	br i1 %161, label %body19, label %exit20

body19:
	%162 = add i64 %10, %160
	%163 = add i64 %159, %160
	%164 = getelementptr inbounds float, float addrspace(1)* %v, i64 %163
	%165 = load float, float addrspace(1)* %164, align 4
	%166 = fmul float %157, %165
	%167 = getelementptr inbounds float, float addrspace(1)* %o, i64 %162
	%168 = load float, float addrspace(1)* %167, align 4
	%169 = fadd float %168, %166
	store float %169, float addrspace(1)* %167, align 4
	%170 = add i64 %160, 1
	br label %loop18

exit20:
	%171 = fadd float %77, %157
	%172 = add i64 %76, 1
	br label %loop12

loop21:
	%173 = phi i64 [ 0, %exit14 ], [ %181, %body22 ]
	%174 = icmp slt i64 %173, 8
	br i1 %174, label %body22, label %exit23

body22:
	%175 = add i64 %10, %173
	%176 = add i64 %10, %173
	%177 = getelementptr inbounds float, float addrspace(1)* %o, i64 %176
	%178 = load float, float addrspace(1)* %177, align 4
	%179 = fmul float %178, %82
	%180 = getelementptr inbounds float, float addrspace(1)* %o, i64 %175
	store float %179, float addrspace(1)* %180, align 4
	%181 = add i64 %173, 1
	br label %loop21

exit23:
	%182 = bitcast float %77 to i32
	%183 = lshr i32 %182, 23
	%184 = sub i32 %183, 127
	%185 = and i32 %182, u0x7FFFFF
	%186 = or i32 %185, 1065353216
	%187 = bitcast i32 %186 to float
	%188 = fcmp ogt float %187, 0x3FF6A09E60000000
	%189 = fmul float %187, 0.5
	%190 = select i1 %188, float %189, float %187
	%191 = add i32 %184, 1
	%192 = select i1 %188, i32 %191, i32 %184
	%193 = fsub float %190, 1.0
	%194 = fadd float %190, 1.0
	%195 = fdiv float %193, %194
	%196 = fmul float %195, %195
	%197 = fmul float 0x3FB745D180000000, %196
	%198 = fadd float %197, 0x3FBC71C720000000
	%199 = fmul float %198, %196
	%200 = fadd float %199, 0x3FC24924A0000000
	%201 = fmul float %200, %196
	%202 = fadd float %201, 0x3FC99999A0000000
	%203 = fmul float %202, %196
	%204 = fadd float %203, 0x3FD5555560000000
	%205 = fmul float %204, %196
	%206 = fadd float %205, 1.0
	%207 = fmul float 2.0, %195
	%208 = fmul float %207, %206
	%209 = sitofp i32 %192 to float
	%210 = fmul float %209, 0x3FE62E4300000000
	%211 = fadd float %210, %208
	%212 = fadd float %23, %211
	%213 = select i1 %81, float 0xFFF0000000000000, float %212
	br i1 %81, label %then24, label %join25

then24:
	br label %loop26

join25:
	%214 = getelementptr inbounds float, float addrspace(1)* %lse, i64 %5
	store float %213, float addrspace(1)* %214, align 4
	br label %join2

loop26:
	%215 = phi i64 [ 0, %then24 ], [ %219, %body27 ]
	%216 = icmp slt i64 %215, 8
	br i1 %216, label %body27, label %exit28

body27:
	%217 = add i64 %10, %215
	%218 = getelementptr inbounds float, float addrspace(1)* %o, i64 %217
	store float 0.0, float addrspace(1)* %218, align 4
	%219 = add i64 %215, 1
	br label %loop26

exit28:
	br label %join25
}

define amdgpu_kernel void @router_topk_t4_e4_k2(float addrspace(1)* nocapture %logits, float addrspace(1)* nocapture %probs, i32 addrspace(1)* nocapture %idx, float addrspace(1)* nocapture %w) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, 4
	br i1 %6, label %then1, label %join2

then1:
	%7 = mul i64 %5, 4
	br label %loop3

join2:
	ret void

loop3:
	%8 = phi i64 [ 0, %then1 ], [ %16, %body4 ]
	%9 = phi float [ 0xC7EC363CC0000000, %then1 ], [ %15, %body4 ]
	%10 = icmp slt i64 %8, 4
	br i1 %10, label %body4, label %exit5

body4:
	%11 = add i64 %7, %8
	%12 = getelementptr inbounds float, float addrspace(1)* %logits, i64 %11
	%13 = load float, float addrspace(1)* %12, align 4
	%14 = fcmp ogt float %9, %13
	%15 = select i1 %14, float %9, float %13
	%16 = add i64 %8, 1
	br label %loop3

exit5:
	br label %loop6

loop6:
	%17 = phi i64 [ 0, %exit5 ], [ %55, %body7 ]
	%18 = phi float [ 0.0, %exit5 ], [ %54, %body7 ]
	%19 = icmp slt i64 %17, 4
	br i1 %19, label %body7, label %exit8

body7:
	%20 = add i64 %7, %17
	%21 = getelementptr inbounds float, float addrspace(1)* %logits, i64 %20
	%22 = load float, float addrspace(1)* %21, align 4
	%23 = fsub float %22, %9
	%24 = fcmp ogt float %23, 0xC055D33340000000
	%25 = select i1 %24, float %23, float 0xC055D33340000000
	%26 = fcmp olt float %25, 0x40562CCCC0000000
	%27 = select i1 %26, float %25, float 0x40562CCCC0000000
	%28 = fmul float %27, 0x3FF7154760000000
	%29 = fadd float %28, 0.5
	%30 = call float @llvm.floor.f32(float %29)
	%31 = fmul float %30, 0x3FE62E4000000000
	%32 = fsub float %27, %31
	%33 = fmul float %30, 0x3EB7F7D1C0000000
	%34 = fsub float %32, %33
	%35 = fmul float 0x3F56C16C20000000, %34
	%36 = fadd float %35, 0x3F81111120000000
	%37 = fmul float %36, %34
	%38 = fadd float %37, 0x3FA5555560000000
	%39 = fmul float %38, %34
	%40 = fadd float %39, 0x3FC5555560000000
	%41 = fmul float %40, %34
	%42 = fadd float %41, 0.5
	%43 = fmul float %42, %34
	%44 = fadd float %43, 1.0
	%45 = fmul float %44, %34
	%46 = fadd float %45, 1.0
	%47 = fptosi float %30 to i32
	%48 = add i32 %47, 127
	%49 = shl i32 %48, 23
	%50 = bitcast i32 %49 to float
	%51 = fmul float %46, %50
	%52 = add i64 %7, %17
	%53 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %52
	store float %51, float addrspace(1)* %53, align 4
	%54 = fadd float %18, %51
	%55 = add i64 %17, 1
	br label %loop6

exit8:
	%56 = fdiv float 1.0, %18
	br label %loop9

loop9:
	%57 = phi i64 [ 0, %exit8 ], [ %65, %body10 ]
	%58 = icmp slt i64 %57, 4
	br i1 %58, label %body10, label %exit11

body10:
	%59 = add i64 %7, %57
	%60 = add i64 %7, %57
	%61 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %60
	%62 = load float, float addrspace(1)* %61, align 4
	%63 = fmul float %62, %56
	%64 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %59
	store float %63, float addrspace(1)* %64, align 4
	%65 = add i64 %57, 1
	br label %loop9

exit11:
	%66 = mul i64 %5, 2
	br label %loop12

loop12:
	%67 = phi i64 [ 0, %exit11 ], [ %80, %exit17 ]
	%68 = phi float [ 0.0, %exit11 ], [ %79, %exit17 ]
	%69 = icmp slt i64 %67, 2
	br i1 %69, label %body13, label %exit14

body13:
	br label %loop15

exit14:
	br label %join2

loop15:
	%70 = phi i64 [ 0, %body13 ], [ %99, %exit20 ]
	%71 = phi i64 [ -1, %body13 ], [ %97, %exit20 ]
	%72 = phi float [ -1.0, %body13 ], [ %98, %exit20 ]
	%73 = icmp slt i64 %70, 4
	br i1 %73, label %body16, label %exit17

body16:
	br label %loop18

exit17:
	%74 = add i64 %66, %67
	%75 = trunc i64 %71 to i32
	%76 = getelementptr inbounds i32, i32 addrspace(1)* %idx, i64 %74
	store i32 %75, i32 addrspace(1)* %76, align 4
	%77 = add i64 %66, %67
	%78 = getelementptr inbounds float, float addrspace(1)* %w, i64 %77
	store float %72, float addrspace(1)* %78, align 4
	%79 = fadd float %68, %72
	%80 = add i64 %67, 1
	br label %loop12

loop18:
	%81 = phi i64 [ 0, %body16 ], [ %90, %body19 ]
	%82 = phi i1 [ false, %body16 ], [ %89, %body19 ]
	%83 = icmp slt i64 %81, %67
	br i1 %83, label %body19, label %exit20

body19:
	%84 = add i64 %66, %81
	%85 = getelementptr inbounds i32, i32 addrspace(1)* %idx, i64 %84
	%86 = load i32, i32 addrspace(1)* %85, align 4
	%87 = sext i32 %86 to i64
	%88 = icmp eq i64 %87, %70
	%89 = or i1 %82, %88
	%90 = add i64 %81, 1
	br label %loop18

exit20:
	%91 = add i64 %7, %70
	%92 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %91
	%93 = load float, float addrspace(1)* %92, align 4
	%94 = xor i1 %82, true
	%95 = fcmp ogt float %93, %72
	%96 = and i1 %94, %95
	%97 = select i1 %96, i64 %70, i64 %71
	%98 = select i1 %96, float %93, float %72
	%99 = add i64 %70, 1
	br label %loop15
}

define amdgpu_kernel void @permute_t4_k2_w8(float addrspace(1)* nocapture %x, i32 addrspace(1)* nocapture %pos, float addrspace(1)* nocapture %out) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, 64
	br i1 %6, label %then1, label %join2

then1:
	%7 = sdiv i64 %5, 8
	%8 = srem i64 %5, 8
	%9 = sdiv i64 %7, 2
	%10 = getelementptr inbounds i32, i32 addrspace(1)* %pos, i64 %7
	%11 = load i32, i32 addrspace(1)* %10, align 4
	%12 = sext i32 %11 to i64
	%13 = icmp sge i64 %12, 0
	br i1 %13, label %then3, label %join4

join2:
	ret void

then3:
	%14 = mul i64 %12, 8
	%15 = add i64 %14, %8
	%16 = mul i64 %9, 8
	%17 = add i64 %16, %8
	%18 = getelementptr inbounds float, float addrspace(1)* %x, i64 %17
	%19 = load float, float addrspace(1)* %18, align 4
	%20 = getelementptr inbounds float, float addrspace(1)* %out, i64 %15
	store float %19, float addrspace(1)* %20, align 4
	br label %join4

join4:
	br label %join2
}

define amdgpu_kernel void @adamw_b0p9_0p95_e1em08(float addrspace(1)* nocapture %p, float addrspace(1)* nocapture %g, float addrspace(1)* nocapture %m, float addrspace(1)* nocapture %v, float addrspace(1)* nocapture %hp, i64 %n) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = call i32 @llvm.amdgcn.workitem.id.x()
	%1 = call i32 @llvm.amdgcn.workgroup.id.x()
	%2 = zext i32 %0 to i64
	%3 = zext i32 %1 to i64
	%4 = mul i64 %3, 256
	%5 = add i64 %4, %2
	%6 = icmp slt i64 %5, %n
	br i1 %6, label %then1, label %join2

then1:
	%7 = load float, float addrspace(1)* %hp, align 4
	%8 = getelementptr inbounds float, float addrspace(1)* %hp, i64 1
	%9 = load float, float addrspace(1)* %8, align 4
	%10 = getelementptr inbounds float, float addrspace(1)* %hp, i64 2
	%11 = load float, float addrspace(1)* %10, align 4
	%12 = getelementptr inbounds float, float addrspace(1)* %hp, i64 3
	%13 = load float, float addrspace(1)* %12, align 4
	%14 = getelementptr inbounds float, float addrspace(1)* %hp, i64 4
	%15 = load float, float addrspace(1)* %14, align 4
	%16 = getelementptr inbounds float, float addrspace(1)* %g, i64 %5
	%17 = load float, float addrspace(1)* %16, align 4
	%18 = fmul float %17, %15
	%19 = getelementptr inbounds float, float addrspace(1)* %m, i64 %5
	%20 = load float, float addrspace(1)* %19, align 4
	%21 = fmul float 0x3FECCCCCC0000000, %20
	%22 = fmul float 0x3FB99999A0000000, %18
	%23 = fadd float %21, %22
	%24 = getelementptr inbounds float, float addrspace(1)* %v, i64 %5
	%25 = load float, float addrspace(1)* %24, align 4
	%26 = fmul float 0x3FEE666660000000, %25
	%27 = fmul float %18, %18
	%28 = fmul float 0x3FA99999A0000000, %27
	%29 = fadd float %26, %28
	%30 = getelementptr inbounds float, float addrspace(1)* %m, i64 %5
	store float %23, float addrspace(1)* %30, align 4
	%31 = getelementptr inbounds float, float addrspace(1)* %v, i64 %5
	store float %29, float addrspace(1)* %31, align 4
	%32 = getelementptr inbounds float, float addrspace(1)* %p, i64 %5
	%33 = load float, float addrspace(1)* %32, align 4
	%34 = fmul float %7, %9
	%35 = fsub float 1.0, %34
	%36 = fmul float %33, %35
	%37 = fdiv float %23, %11
	%38 = fdiv float %29, %13
	%39 = call float @llvm.sqrt.f32(float %38)
	%40 = fadd float %39, 0x3E45798EE0000000
	%41 = fdiv float %37, %40
	%42 = fmul float %7, %41
	%43 = fsub float %36, %42
	%44 = getelementptr inbounds float, float addrspace(1)* %p, i64 %5
	store float %43, float addrspace(1)* %44, align 4
	br label %join2

join2:
	ret void
}
