source_filename = "golden"
target datalayout = "e-p:64:64-p1:64:64-p2:32:32-p3:32:32-p4:64:64-p5:32:32-p6:32:32-i64:64-v16:16-v24:32-v32:32-v48:64-v96:128-v192:256-v256:256-v512:512-v1024:1024-v2048:2048-n32:64-S32-A5-G1-ni:7"
target triple = "amdgcn-amd-amdhsa"

define amdgpu_kernel void @matmul_nn_m12_k16_n24_bias(float addrspace(1)* nocapture %a, float addrspace(1)* nocapture %b, float addrspace(1)* nocapture %bias, float addrspace(1)* nocapture %c, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, 288
	%1 = select i1 %0, i64 %hi, i64 288
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = sdiv i64 %8, 24
	%11 = srem i64 %8, 24
	br label %loop3

join2:
	ret void

loop3:
	%12 = phi i64 [ 0, %then1 ], [ %24, %body4 ]
	%13 = phi float [ 0.0, %then1 ], [ %23, %body4 ]
	%14 = icmp slt i64 %12, 16
	br i1 %14, label %body4, label %exit5

body4:
	%15 = mul i64 %10, 16
	%16 = add i64 %15, %12
	%17 = getelementptr inbounds float, float addrspace(1)* %a, i64 %16
	%18 = load float, float addrspace(1)* %17, align 4
	%19 = mul i64 %12, 24
	%20 = add i64 %19, %11
	%21 = getelementptr inbounds float, float addrspace(1)* %b, i64 %20
	%22 = load float, float addrspace(1)* %21, align 4
	%23 = call float @llvm.fma.f32(float %18, float %22, float %13)
	%24 = add i64 %12, 1
	br label %loop3

exit5:
	%25 = getelementptr inbounds float, float addrspace(1)* %bias, i64 %11
	%26 = load float, float addrspace(1)* %25, align 4
	%27 = fadd float %13, %26
	%28 = getelementptr inbounds float, float addrspace(1)* %c, i64 %8
	store float %27, float addrspace(1)* %28, align 4
	br label %join2
}

declare i32 @llvm.amdgcn.workitem.id.x()

declare i32 @llvm.amdgcn.workgroup.id.x()

declare float @llvm.fma.f32(float %0, float %1, float %2)

define amdgpu_kernel void @matmul_nt_m12_k16_n24(float addrspace(1)* nocapture %a, float addrspace(1)* nocapture %b, float addrspace(1)* nocapture %c, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, 288
	%1 = select i1 %0, i64 %hi, i64 288
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = sdiv i64 %8, 24
	%11 = srem i64 %8, 24
	br label %loop3

join2:
	ret void

loop3:
	%12 = phi i64 [ 0, %then1 ], [ %24, %body4 ]
	%13 = phi float [ 0.0, %then1 ], [ %23, %body4 ]
	%14 = icmp slt i64 %12, 16
	br i1 %14, label %body4, label %exit5

body4:
	%15 = mul i64 %10, 16
	%16 = add i64 %15, %12
	%17 = getelementptr inbounds float, float addrspace(1)* %a, i64 %16
	%18 = load float, float addrspace(1)* %17, align 4
	%19 = mul i64 %11, 16
	%20 = add i64 %19, %12
	%21 = getelementptr inbounds float, float addrspace(1)* %b, i64 %20
	%22 = load float, float addrspace(1)* %21, align 4
	%23 = call float @llvm.fma.f32(float %18, float %22, float %13)
	%24 = add i64 %12, 1
	br label %loop3

exit5:
	%25 = getelementptr inbounds float, float addrspace(1)* %c, i64 %8
	store float %13, float addrspace(1)* %25, align 4
	br label %join2
}

define amdgpu_kernel void @layernorm_fwd_r4_w8(float addrspace(1)* nocapture %x, float addrspace(1)* nocapture %gamma, float addrspace(1)* nocapture %beta, float addrspace(1)* nocapture %y, float addrspace(1)* nocapture %mean, float addrspace(1)* nocapture %rstd, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, 4
	%1 = select i1 %0, i64 %hi, i64 4
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = mul i64 %8, 8
	br label %loop3

join2:
	ret void

loop3:
	%11 = phi i64 [ 0, %then1 ], [ %18, %body4 ]
	%12 = phi float [ 0.0, %then1 ], [ %17, %body4 ]
	%13 = icmp slt i64 %11, 8
	br i1 %13, label %body4, label %exit5

body4:
	%14 = add i64 %10, %11
	%15 = getelementptr inbounds float, float addrspace(1)* %x, i64 %14
	%16 = load float, float addrspace(1)* %15, align 4
	%17 = fadd float %12, %16
	%18 = add i64 %11, 1
	br label %loop3

exit5:
	%19 = fmul float %12, 0.125
	br label %loop6

loop6:
	%20 = phi i64 [ 0, %exit5 ], [ %29, %body7 ]
	%21 = phi float [ 0.0, %exit5 ], [ %28, %body7 ]
	%22 = icmp slt i64 %20, 8
	br i1 %22, label %body7, label %exit8

body7:
	%23 = add i64 %10, %20
	%24 = getelementptr inbounds float, float addrspace(1)* %x, i64 %23
	%25 = load float, float addrspace(1)* %24, align 4
	%26 = fsub float %25, %19
	%27 = fmul float %26, %26
	%28 = fadd float %21, %27
	%29 = add i64 %20, 1
	br label %loop6

exit8:
	%30 = fmul float %21, 0.125
	%31 = fadd float %30, 0x3EE4F8B580000000
	%32 = call float @llvm.sqrt.f32(float %31)
	%33 = fdiv float 1.0, %32
	br label %loop9

loop9:
	%34 = phi i64 [ 0, %exit8 ], [ %48, %body10 ]
	%35 = icmp slt i64 %34, 8
	br i1 %35, label %body10, label %exit11

body10:
	%36 = add i64 %10, %34
	%37 = getelementptr inbounds float, float addrspace(1)* %x, i64 %36
	%38 = load float, float addrspace(1)* %37, align 4
	%39 = fsub float %38, %19
	%40 = fmul float %39, %33
	%41 = getelementptr inbounds float, float addrspace(1)* %gamma, i64 %34
	%42 = load float, float addrspace(1)* %41, align 4
	%43 = fmul float %40, %42
	%44 = getelementptr inbounds float, float addrspace(1)* %beta, i64 %34
	%45 = load float, float addrspace(1)* %44, align 4
	%46 = fadd float %43, %45
	%47 = getelementptr inbounds float, float addrspace(1)* %y, i64 %36
	store float %46, float addrspace(1)* %47, align 4
	%48 = add i64 %34, 1
	br label %loop9

exit11:
	%49 = getelementptr inbounds float, float addrspace(1)* %mean, i64 %8
	store float %19, float addrspace(1)* %49, align 4
	%50 = getelementptr inbounds float, float addrspace(1)* %rstd, i64 %8
	store float %33, float addrspace(1)* %50, align 4
	br label %join2
}

declare float @llvm.sqrt.f32(float %0)

define amdgpu_kernel void @gelu_fwd_n32(float addrspace(1)* nocapture %x, float addrspace(1)* nocapture %y, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, 32
	%1 = select i1 %0, i64 %hi, i64 32
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = getelementptr inbounds float, float addrspace(1)* %x, i64 %8
	%11 = load float, float addrspace(1)* %10, align 4
	%12 = fmul float %11, %11
	%13 = fmul float %12, %11
	%14 = fmul float 0x3FA6E4E260000000, %13
	%15 = fadd float %11, %14
	%16 = fmul float 0x3FE9884540000000, %15
	%17 = fcmp ogt float %16, 0xC01F9F09E0000000
	%18 = select i1 %17, float %16, float 0xC01F9F09E0000000
	%19 = fcmp olt float %18, 0x401F9F09E0000000
	%20 = select i1 %19, float %18, float 0x401F9F09E0000000
	%21 = fmul float %20, %20
	%22 = fmul float 0xBCB3E4B800000000, %21
	%23 = fadd float %22, 0x3D4C266FC0000000
	%24 = fmul float %23, %21
	%25 = fadd float %24, 0xBDD7A6FFE0000000
	%26 = fmul float %25, %21
	%27 = fadd float %26, 0x3E6B800820000000
	%28 = fmul float %27, %21
	%29 = fadd float %28, 0x3EEF286940000000
	%30 = fmul float %29, %21
	%31 = fadd float %30, 0x3F44E1BDA0000000
	%32 = fmul float %31, %21
	%33 = fadd float %32, 0x3F740B3B80000000
	%34 = fmul float %33, %20
	%35 = fmul float 0x3EB41A7B00000000, %21
	%36 = fadd float %35, 0x3F1F12BAC0000000
	%37 = fmul float %36, %21
	%38 = fadd float %37, 0x3F629540A0000000
	%39 = fmul float %38, %21
	%40 = fadd float %39, 0x3F740B3BA0000000
	%41 = fdiv float %34, %40
	%42 = fmul float 0.5, %11
	%43 = fadd float 1.0, %41
	%44 = fmul float %42, %43
	%45 = getelementptr inbounds float, float addrspace(1)* %y, i64 %8
	store float %44, float addrspace(1)* %45, align 4
	br label %join2

join2:
	ret void
}

define amdgpu_kernel void @attention_fwd_b1_h2_q4_k4_d8(float addrspace(1)* nocapture noalias %q, float addrspace(1)* nocapture noalias %k, float addrspace(1)* nocapture noalias %v, float addrspace(1)* nocapture noalias %o, float addrspace(1)* nocapture noalias %lse, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, 8
	%1 = select i1 %0, i64 %hi, i64 8
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = sdiv i64 %8, 4
	%11 = srem i64 %8, 4
	%12 = mul i64 %8, 8
	%13 = mul i64 %8, 8
	%14 = mul i64 %10, 32
	%15 = add i64 %11, 1
	%16 = icmp slt i64 %15, 0
	%17 = select i1 %16, i64 0, i64 %15
	%18 = icmp slt i64 %17, 4
	%19 = select i1 %18, i64 %17, i64 4
	br label %loop3

join2:
	ret void

loop3:
	%20 = phi i64 [ 0, %then1 ], [ %24, %body4 ]
	%21 = icmp slt i64 %20, 8
	br i1 %21, label %body4, label %exit5

body4:
	%22 = add i64 %13, %20
	%23 = getelementptr inbounds float, float addrspace(1)* %o, i64 %22
	store float 0.0, float addrspace(1)* %23, align 4
	%24 = add i64 %20, 1
	br label %loop3

exit5:
	br label %loop6

loop6:
	%25 = phi i64 [ 0, %exit5 ], [ %78, %exit11 ]
	%26 = phi float [ 0xC7EC363CC0000000, %exit5 ], [ %77, %exit11 ]
	%27 = icmp slt i64 %25, %19
	br i1 %27, label %body7, label %exit8

body7:
	%28 = mul i64 %25, 8
	%29 = add i64 %14, %28
	br label %loop9

exit8:
	br label %loop12

loop9:
	%30 = phi i64 [ 0, %body7 ], [ %71, %body10 ]
	%31 = phi float [ 0.0, %body7 ], [ %43, %body10 ]
	%32 = phi float [ 0.0, %body7 ], [ %52, %body10 ]
	%33 = phi float [ 0.0, %body7 ], [ %61, %body10 ]
	%34 = phi float [ 0.0, %body7 ], [ %70, %body10 ]
	%35 = icmp slt i64 %30, 8
	br i1 %35, label %body10, label %exit11

body10:
	%36 = add i64 %12, %30
	%37 = getelementptr inbounds float, float addrspace(1)* %q, i64 %36
	%38 = load float, float addrspace(1)* %37, align 4
	%39 = add i64 %29, %30
	%40 = getelementptr inbounds float, float addrspace(1)* %k, i64 %39
	%41 = load float, float addrspace(1)* %40, align 4
	%42 = fmul float %38, %41
	%43 = fadd float %31, %42
	%44 = add i64 %30, 1
	%45 = add i64 %12, %44
	%46 = getelementptr inbounds float, float addrspace(1)* %q, i64 %45
	%47 = load float, float addrspace(1)* %46, align 4
	%48 = add i64 %29, %44
	%49 = getelementptr inbounds float, float addrspace(1)* %k, i64 %48
	%50 = load float, float addrspace(1)* %49, align 4
	%51 = fmul float %47, %50
	%52 = fadd float %32, %51
	%53 = add i64 %30, 2
	%54 = add i64 %12, %53
	%55 = getelementptr inbounds float, float addrspace(1)* %q, i64 %54
	%56 = load float, float addrspace(1)* %55, align 4
	%57 = add i64 %29, %53
	%58 = getelementptr inbounds float, float addrspace(1)* %k, i64 %57
	%59 = load float, float addrspace(1)* %58, align 4
	%60 = fmul float %56, %59
	%61 = fadd float %33, %60
	%62 = add i64 %30, 3
	%63 = add i64 %12, %62
	%64 = getelementptr inbounds float, float addrspace(1)* %q, i64 %63
	%65 = load float, float addrspace(1)* %64, align 4
	%66 = add i64 %29, %62
	%67 = getelementptr inbounds float, float addrspace(1)* %k, i64 %66
	%68 = load float, float addrspace(1)* %67, align 4
	%69 = fmul float %65, %68
	%70 = fadd float %34, %69
	%71 = add i64 %30, 4
	br label %loop9

exit11:
	%72 = fadd float %31, %32
	%73 = fadd float %33, %34
	%74 = fadd float %72, %73
	%75 = fmul float %74, 0x3FD6A09E60000000
	%76 = fcmp ogt float %26, %75
	%77 = select i1 %76, float %26, float %75
	%78 = add i64 %25, 1
	br label %loop6

loop12:
	%79 = phi i64 [ 0, %exit8 ], [ %175, %exit20 ]
	%80 = phi float [ 0.0, %exit8 ], [ %174, %exit20 ]
	%81 = icmp slt i64 %79, %19
	br i1 %81, label %body13, label %exit14

body13:
	%82 = mul i64 %79, 8
	%83 = add i64 %14, %82
	br label %loop15

exit14:
	%84 = icmp eq i64 %19, 0
	%85 = fdiv float 1.0, %80
	br label %loop21

loop15:
	%86 = phi i64 [ 0, %body13 ], [ %127, %body16 ]
	%87 = phi float [ 0.0, %body13 ], [ %99, %body16 ]
	%88 = phi float [ 0.0, %body13 ], [ %108, %body16 ]
	%89 = phi float [ 0.0, %body13 ], [ %117, %body16 ]
	%90 = phi float [ 0.0, %body13 ], [ %126, %body16 ]
	%91 = icmp slt i64 %86, 8
	br i1 %91, label %body16, label %exit17

body16:
	%92 = add i64 %12, %86
	%93 = getelementptr inbounds float, float addrspace(1)* %q, i64 %92
	%94 = load float, float addrspace(1)* %93, align 4
	%95 = add i64 %83, %86
	%96 = getelementptr inbounds float, float addrspace(1)* %k, i64 %95
	%97 = load float, float addrspace(1)* %96, align 4
	%98 = fmul float %94, %97
	%99 = fadd float %87, %98
	%100 = add i64 %86, 1
	%101 = add i64 %12, %100
	%102 = getelementptr inbounds float, float addrspace(1)* %q, i64 %101
	%103 = load float, float addrspace(1)* %102, align 4
	%104 = add i64 %83, %100
	%105 = getelementptr inbounds float, float addrspace(1)* %k, i64 %104
	%106 = load float, float addrspace(1)* %105, align 4
	%107 = fmul float %103, %106
	%108 = fadd float %88, %107
	%109 = add i64 %86, 2
	%110 = add i64 %12, %109
	%111 = getelementptr inbounds float, float addrspace(1)* %q, i64 %110
	%112 = load float, float addrspace(1)* %111, align 4
	%113 = add i64 %83, %109
	%114 = getelementptr inbounds float, float addrspace(1)* %k, i64 %113
	%115 = load float, float addrspace(1)* %114, align 4
	%116 = fmul float %112, %115
	%117 = fadd float %89, %116
	%118 = add i64 %86, 3
	%119 = add i64 %12, %118
	%120 = getelementptr inbounds float, float addrspace(1)* %q, i64 %119
	%121 = load float, float addrspace(1)* %120, align 4
	%122 = add i64 %83, %118
	%123 = getelementptr inbounds float, float addrspace(1)* %k, i64 %122
	%124 = load float, float addrspace(1)* %123, align 4
	%125 = fmul float %121, %124
	%126 = fadd float %90, %125
	%127 = add i64 %86, 4
	br label %loop15

exit17:
	%128 = fadd float %87, %88
	%129 = fadd float %89, %90
	%130 = fadd float %128, %129
	%131 = fmul float %130, 0x3FD6A09E60000000
	%132 = fsub float %131, %26
	%133 = fcmp ogt float %132, 0xC055D33340000000
	%134 = select i1 %133, float %132, float 0xC055D33340000000
	%135 = fcmp olt float %134, 0x40562CCCC0000000
	%136 = select i1 %135, float %134, float 0x40562CCCC0000000
	%137 = fmul float %136, 0x3FF7154760000000
	%138 = fadd float %137, 0.5
	%139 = call float @llvm.floor.f32(float %138)
	%140 = fmul float %139, 0x3FE62E4000000000
	%141 = fsub float %136, %140
	%142 = fmul float %139, 0x3EB7F7D1C0000000
	%143 = fsub float %141, %142
	%144 = fmul float 0x3F56C16C20000000, %143
	%145 = fadd float %144, 0x3F81111120000000
	%146 = fmul float %145, %143
	%147 = fadd float %146, 0x3FA5555560000000
	%148 = fmul float %147, %143
	%149 = fadd float %148, 0x3FC5555560000000
	%150 = fmul float %149, %143
	%151 = fadd float %150, 0.5
	%152 = fmul float %151, %143
	%153 = fadd float %152, 1.0
	%154 = fmul float %153, %143
	%155 = fadd float %154, 1.0
	%156 = fptosi float %139 to i32
	%157 = add i32 %156, 127
	%158 = shl i32 %157, 23
	%159 = bitcast i32 %158 to float
	%160 = fmul float %155, %159
	%161 = mul i64 %79, 8
	%162 = add i64 %14, %161
	br label %loop18

loop18:
	%163 = phi i64 [ 0, %exit17 ], [ %173, %body19 ]
	%164 = icmp slt i64 %163, 8
	br i1 %164, label %body19, label %exit20

body19:
	%165 = add i64 %13, %163
	%166 = add i64 %162, %163
	%167 = getelementptr inbounds float, float addrspace(1)* %v, i64 %166
	%168 = load float, float addrspace(1)* %167, align 4
	%169 = fmul float %160, %168
	%170 = getelementptr inbounds float, float addrspace(1)* %o, i64 %165
	%171 = load float, float addrspace(1)* %170, align 4
	%172 = fadd float %171, %169
	store float %172, float addrspace(1)* %170, align 4
	%173 = add i64 %163, 1
	br label %loop18

exit20:
	%174 = fadd float %80, %160
	%175 = add i64 %79, 1
	br label %loop12

loop21:
	%176 = phi i64 [ 0, %exit14 ], [ %184, %body22 ]
	%177 = icmp slt i64 %176, 8
	br i1 %177, label %body22, label %exit23

body22:
	%178 = add i64 %13, %176
	%179 = add i64 %13, %176
	%180 = getelementptr inbounds float, float addrspace(1)* %o, i64 %179
	%181 = load float, float addrspace(1)* %180, align 4
	%182 = fmul float %181, %85
	%183 = getelementptr inbounds float, float addrspace(1)* %o, i64 %178
	store float %182, float addrspace(1)* %183, align 4
	%184 = add i64 %176, 1
	br label %loop21

exit23:
	%185 = bitcast float %80 to i32
	%186 = lshr i32 %185, 23
	%187 = sub i32 %186, 127
	%188 = and i32 %185, u0x7FFFFF
	%189 = or i32 %188, 1065353216
	%190 = bitcast i32 %189 to float
	%191 = fcmp ogt float %190, 0x3FF6A09E60000000
	%192 = fmul float %190, 0.5
	%193 = select i1 %191, float %192, float %190
	%194 = add i32 %187, 1
	%195 = select i1 %191, i32 %194, i32 %187
	%196 = fsub float %193, 1.0
	%197 = fadd float %193, 1.0
	%198 = fdiv float %196, %197
	%199 = fmul float %198, %198
	%200 = fmul float 0x3FB745D180000000, %199
	%201 = fadd float %200, 0x3FBC71C720000000
	%202 = fmul float %201, %199
	%203 = fadd float %202, 0x3FC24924A0000000
	%204 = fmul float %203, %199
	%205 = fadd float %204, 0x3FC99999A0000000
	%206 = fmul float %205, %199
	%207 = fadd float %206, 0x3FD5555560000000
	%208 = fmul float %207, %199
	%209 = fadd float %208, 1.0
	%210 = fmul float 2.0, %198
	%211 = fmul float %210, %209
	%212 = sitofp i32 %195 to float
	%213 = fmul float %212, 0x3FE62E4300000000
	%214 = fadd float %213, %211
	%215 = fadd float %26, %214
	%216 = select i1 %84, float 0xFFF0000000000000, float %215
	br i1 %84, label %then24, label %join25

then24:
	br label %loop26

join25:
	%217 = getelementptr inbounds float, float addrspace(1)* %lse, i64 %8
	store float %216, float addrspace(1)* %217, align 4
	br label %join2

loop26:
	%218 = phi i64 [ 0, %then24 ], [ %222, %body27 ]
	%219 = icmp slt i64 %218, 8
	br i1 %219, label %body27, label %exit28

body27:
	%220 = add i64 %13, %218
	%221 = getelementptr inbounds float, float addrspace(1)* %o, i64 %220
	store float 0.0, float addrspace(1)* %221, align 4
	%222 = add i64 %218, 1
	br label %loop26

exit28:
	br label %join25
}

declare float @llvm.floor.f32(float %0)

define amdgpu_kernel void @router_topk_t4_e4_k2(float addrspace(1)* nocapture %logits, float addrspace(1)* nocapture %probs, i32 addrspace(1)* nocapture %idx, float addrspace(1)* nocapture %w, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, 4
	%1 = select i1 %0, i64 %hi, i64 4
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = mul i64 %8, 4
	br label %loop3

join2:
	ret void

loop3:
	%11 = phi i64 [ 0, %then1 ], [ %19, %body4 ]
	%12 = phi float [ 0xC7EC363CC0000000, %then1 ], [ %18, %body4 ]
	%13 = icmp slt i64 %11, 4
	br i1 %13, label %body4, label %exit5

body4:
	%14 = add i64 %10, %11
	%15 = getelementptr inbounds float, float addrspace(1)* %logits, i64 %14
	%16 = load float, float addrspace(1)* %15, align 4
	%17 = fcmp ogt float %12, %16
	%18 = select i1 %17, float %12, float %16
	%19 = add i64 %11, 1
	br label %loop3

exit5:
	br label %loop6

loop6:
	%20 = phi i64 [ 0, %exit5 ], [ %58, %body7 ]
	%21 = phi float [ 0.0, %exit5 ], [ %57, %body7 ]
	%22 = icmp slt i64 %20, 4
	br i1 %22, label %body7, label %exit8

body7:
	%23 = add i64 %10, %20
	%24 = getelementptr inbounds float, float addrspace(1)* %logits, i64 %23
	%25 = load float, float addrspace(1)* %24, align 4
	%26 = fsub float %25, %12
	%27 = fcmp ogt float %26, 0xC055D33340000000
	%28 = select i1 %27, float %26, float 0xC055D33340000000
	%29 = fcmp olt float %28, 0x40562CCCC0000000
	%30 = select i1 %29, float %28, float 0x40562CCCC0000000
	%31 = fmul float %30, 0x3FF7154760000000
	%32 = fadd float %31, 0.5
	%33 = call float @llvm.floor.f32(float %32)
	%34 = fmul float %33, 0x3FE62E4000000000
	%35 = fsub float %30, %34
	%36 = fmul float %33, 0x3EB7F7D1C0000000
	%37 = fsub float %35, %36
	%38 = fmul float 0x3F56C16C20000000, %37
	%39 = fadd float %38, 0x3F81111120000000
	%40 = fmul float %39, %37
	%41 = fadd float %40, 0x3FA5555560000000
	%42 = fmul float %41, %37
	%43 = fadd float %42, 0x3FC5555560000000
	%44 = fmul float %43, %37
	%45 = fadd float %44, 0.5
	%46 = fmul float %45, %37
	%47 = fadd float %46, 1.0
	%48 = fmul float %47, %37
	%49 = fadd float %48, 1.0
	%50 = fptosi float %33 to i32
	%51 = add i32 %50, 127
	%52 = shl i32 %51, 23
	%53 = bitcast i32 %52 to float
	%54 = fmul float %49, %53
	%55 = add i64 %10, %20
	%56 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %55
	store float %54, float addrspace(1)* %56, align 4
	%57 = fadd float %21, %54
	%58 = add i64 %20, 1
	br label %loop6

exit8:
	%59 = fdiv float 1.0, %21
	br label %loop9

loop9:
	%60 = phi i64 [ 0, %exit8 ], [ %68, %body10 ]
	%61 = icmp slt i64 %60, 4
	br i1 %61, label %body10, label %exit11

body10:
	%62 = add i64 %10, %60
	%63 = add i64 %10, %60
	%64 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %63
	%65 = load float, float addrspace(1)* %64, align 4
	%66 = fmul float %65, %59
	%67 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %62
	store float %66, float addrspace(1)* %67, align 4
	%68 = add i64 %60, 1
	br label %loop9

exit11:
	%69 = mul i64 %8, 2
	br label %loop12

loop12:
	%70 = phi i64 [ 0, %exit11 ], [ %83, %exit17 ]
	%71 = phi float [ 0.0, %exit11 ], [ %82, %exit17 ]
	%72 = icmp slt i64 %70, 2
	br i1 %72, label %body13, label %exit14

body13:
	br label %loop15

exit14:
	br label %join2

loop15:
	%73 = phi i64 [ 0, %body13 ], [ %102, %exit20 ]
	%74 = phi i64 [ -1, %body13 ], [ %100, %exit20 ]
	%75 = phi float [ -1.0, %body13 ], [ %101, %exit20 ]
	%76 = icmp slt i64 %73, 4
	br i1 %76, label %body16, label %exit17

body16:
	br label %loop18

exit17:
	%77 = add i64 %69, %70
	%78 = trunc i64 %74 to i32
	%79 = getelementptr inbounds i32, i32 addrspace(1)* %idx, i64 %77
	store i32 %78, i32 addrspace(1)* %79, align 4
	%80 = add i64 %69, %70
	%81 = getelementptr inbounds float, float addrspace(1)* %w, i64 %80
	store float %75, float addrspace(1)* %81, align 4
	%82 = fadd float %71, %75
	%83 = add i64 %70, 1
	br label %loop12

loop18:
	%84 = phi i64 [ 0, %body16 ], [ %93, %body19 ]
	%85 = phi i1 [ false, %body16 ], [ %92, %body19 ]
	%86 = icmp slt i64 %84, %70
	br i1 %86, label %body19, label %exit20

body19:
	%87 = add i64 %69, %84
	%88 = getelementptr inbounds i32, i32 addrspace(1)* %idx, i64 %87
	%89 = load i32, i32 addrspace(1)* %88, align 4
	%90 = sext i32 %89 to i64
	%91 = icmp eq i64 %90, %73
	%92 = or i1 %85, %91
	%93 = add i64 %84, 1
	br label %loop18

exit20:
	%94 = add i64 %10, %73
	%95 = getelementptr inbounds float, float addrspace(1)* %probs, i64 %94
	%96 = load float, float addrspace(1)* %95, align 4
	%97 = xor i1 %85, true
	%98 = fcmp ogt float %96, %75
	%99 = and i1 %97, %98
	%100 = select i1 %99, i64 %73, i64 %74
	%101 = select i1 %99, float %96, float %75
	%102 = add i64 %73, 1
	br label %loop15
}

define amdgpu_kernel void @permute_t4_k2_w8(float addrspace(1)* nocapture %x, i32 addrspace(1)* nocapture %pos, float addrspace(1)* nocapture %out, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, 64
	%1 = select i1 %0, i64 %hi, i64 64
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = sdiv i64 %8, 8
	%11 = srem i64 %8, 8
	%12 = sdiv i64 %10, 2
	%13 = getelementptr inbounds i32, i32 addrspace(1)* %pos, i64 %10
	%14 = load i32, i32 addrspace(1)* %13, align 4
	%15 = sext i32 %14 to i64
	%16 = icmp sge i64 %15, 0
	br i1 %16, label %then3, label %join4

join2:
	ret void

then3:
	%17 = mul i64 %15, 8
	%18 = add i64 %17, %11
	%19 = mul i64 %12, 8
	%20 = add i64 %19, %11
	%21 = getelementptr inbounds float, float addrspace(1)* %x, i64 %20
	%22 = load float, float addrspace(1)* %21, align 4
	%23 = getelementptr inbounds float, float addrspace(1)* %out, i64 %18
	store float %22, float addrspace(1)* %23, align 4
	br label %join4

join4:
	br label %join2
}

define amdgpu_kernel void @adamw_b0p9_0p95_e1em08(float addrspace(1)* nocapture %p, float addrspace(1)* nocapture %g, float addrspace(1)* nocapture %m, float addrspace(1)* nocapture %v, float addrspace(1)* nocapture %hp, i64 %n, i64 %lo, i64 %hi) nounwind "amdgpu-flat-work-group-size"="1,256" {
entry:
	%0 = icmp slt i64 %hi, %n
	%1 = select i1 %0, i64 %hi, i64 %n
	%2 = call i32 @llvm.amdgcn.workitem.id.x()
	%3 = call i32 @llvm.amdgcn.workgroup.id.x()
	%4 = zext i32 %2 to i64
	%5 = zext i32 %3 to i64
	%6 = mul i64 %5, 256
	%7 = add i64 %6, %4
	%8 = add i64 %lo, %7
	%9 = icmp slt i64 %8, %1
	br i1 %9, label %then1, label %join2

then1:
	%10 = load float, float addrspace(1)* %hp, align 4
	%11 = getelementptr inbounds float, float addrspace(1)* %hp, i64 1
	%12 = load float, float addrspace(1)* %11, align 4
	%13 = getelementptr inbounds float, float addrspace(1)* %hp, i64 2
	%14 = load float, float addrspace(1)* %13, align 4
	%15 = getelementptr inbounds float, float addrspace(1)* %hp, i64 3
	%16 = load float, float addrspace(1)* %15, align 4
	%17 = getelementptr inbounds float, float addrspace(1)* %hp, i64 4
	%18 = load float, float addrspace(1)* %17, align 4
	%19 = getelementptr inbounds float, float addrspace(1)* %g, i64 %8
	%20 = load float, float addrspace(1)* %19, align 4
	%21 = fmul float %20, %18
	%22 = getelementptr inbounds float, float addrspace(1)* %m, i64 %8
	%23 = load float, float addrspace(1)* %22, align 4
	%24 = fmul float 0x3FECCCCCC0000000, %23
	%25 = fmul float 0x3FB99999A0000000, %21
	%26 = fadd float %24, %25
	%27 = getelementptr inbounds float, float addrspace(1)* %v, i64 %8
	%28 = load float, float addrspace(1)* %27, align 4
	%29 = fmul float 0x3FEE666660000000, %28
	%30 = fmul float %21, %21
	%31 = fmul float 0x3FA99999A0000000, %30
	%32 = fadd float %29, %31
	%33 = getelementptr inbounds float, float addrspace(1)* %m, i64 %8
	store float %26, float addrspace(1)* %33, align 4
	%34 = getelementptr inbounds float, float addrspace(1)* %v, i64 %8
	store float %32, float addrspace(1)* %34, align 4
	%35 = getelementptr inbounds float, float addrspace(1)* %p, i64 %8
	%36 = load float, float addrspace(1)* %35, align 4
	%37 = fmul float %10, %12
	%38 = fsub float 1.0, %37
	%39 = fmul float %36, %38
	%40 = fmul float %26, %14
	%41 = fmul float %32, %16
	%42 = call float @llvm.sqrt.f32(float %41)
	%43 = fadd float %42, 0x3E45798EE0000000
	%44 = fdiv float %40, %43
	%45 = fmul float %10, %44
	%46 = fsub float %39, %45
	%47 = getelementptr inbounds float, float addrspace(1)* %p, i64 %8
	store float %46, float addrspace(1)* %47, align 4
	br label %join2

join2:
	ret void
}
