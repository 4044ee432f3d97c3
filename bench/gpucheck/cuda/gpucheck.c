// gpucheck runs every kernel of a manifest written by `go run
// ./bench/gpucheck` on an NVIDIA GPU (the PTX, through the CUDA driver
// API) and on the CPU (the same kernels compiled for x86-64, host.so), on
// the same inputs, and compares every float buffer afterwards:
// max|gpu - cpu| / max|cpu| must stay under 1e-5 (NVPTX contracts
// multiply-adds into FMAs, the host code does not; that is the only
// expected difference).
//
// It loads libcuda.so.1 with dlopen and declares the few driver entry
// points it needs, so it builds without the CUDA toolkit:
//
//	cc -O2 -o gpucheck gpucheck.c -ldl && ./gpucheck DIR [kernels.sm_80.ptx]
//
// NOT YET RUN ON A GPU (no GPU machine was lent to the session that wrote
// it). Exit status: 0 all kernels agree, 1 a mismatch or error, 2 no GPU.
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream;
typedef unsigned long long CUdeviceptr;

static CUresult (*cuInit)(unsigned);
static CUresult (*cuDeviceGet)(CUdevice *, int);
static CUresult (*cuDeviceGetName)(char *, int, CUdevice);
static CUresult (*cuCtxCreate)(CUcontext *, unsigned, CUdevice);
static CUresult (*cuModuleLoadData)(CUmodule *, const void *);
static CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
static CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
static CUresult (*cuMemFree)(CUdeviceptr);
static CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
static CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
static CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                                  unsigned, CUstream, void **, void **);
static CUresult (*cuCtxSynchronize)(void);
static CUresult (*cuGetErrorString)(CUresult, const char **);

#define BLOCK 256 /* codegen/llvm GPUBlockSize */
#define MAXARGS 12

static void die(const char *what, CUresult r) {
	const char *s = "?";
	if (cuGetErrorString) cuGetErrorString(r, &s);
	fprintf(stderr, "gpucheck: %s: CUDA error %d (%s)\n", what, r, s);
	exit(1);
}
#define CK(call) do { CUresult r_ = (call); if (r_ != 0) die(#call, r_); } while (0)

static void *sym(void *lib, const char *name) {
	void *p = dlsym(lib, name);
	if (!p) { fprintf(stderr, "gpucheck: libcuda has no %s\n", name); exit(1); }
	return p;
}

static int load_cuda(void) {
	void *lib = dlopen("libcuda.so.1", RTLD_NOW);
	if (!lib) return 0;
	cuInit = sym(lib, "cuInit");
	cuDeviceGet = sym(lib, "cuDeviceGet");
	cuDeviceGetName = sym(lib, "cuDeviceGetName");
	cuCtxCreate = sym(lib, "cuCtxCreate_v2");
	cuModuleLoadData = sym(lib, "cuModuleLoadData");
	cuModuleGetFunction = sym(lib, "cuModuleGetFunction");
	cuMemAlloc = sym(lib, "cuMemAlloc_v2");
	cuMemFree = sym(lib, "cuMemFree_v2");
	cuMemcpyHtoD = sym(lib, "cuMemcpyHtoD_v2");
	cuMemcpyDtoH = sym(lib, "cuMemcpyDtoH_v2");
	cuLaunchKernel = sym(lib, "cuLaunchKernel");
	cuCtxSynchronize = sym(lib, "cuCtxSynchronize");
	cuGetErrorString = sym(lib, "cuGetErrorString");
	return 1;
}

static char *read_file(const char *path, size_t *len) {
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); exit(1); }
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n) { perror(path); exit(1); }
	buf[n] = 0;
	fclose(f);
	if (len) *len = n;
	return buf;
}

typedef void (*kernel12)(uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t,
                         uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t);

struct arg {
	char kind[4];   /* f32, i32, i64 */
	long n;         /* elements, or the i64 value */
	void *host;     /* the CPU run's buffer */
	void *init;     /* pristine inputs for the GPU */
	CUdeviceptr dev;
	long long value;
};

int main(int argc, char **argv) {
	/* -cpu: run only the host side (checks the manifest, the inputs and
	   host.so on a machine without a GPU; compares nothing). */
	int cpu_only = argc > 1 && strcmp(argv[1], "-cpu") == 0;
	if (cpu_only) { argv++; argc--; }
	if (argc < 2) { fprintf(stderr, "usage: gpucheck [-cpu] DIR [PTX]\n"); return 1; }
	const char *dir = argv[1];
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, argc > 2 ? argv[2] : "kernels.sm_80.ptx");
	char *ptx = read_file(path, NULL);
	snprintf(path, sizeof path, "%s/host.so", dir);
	void *host = dlopen(path, RTLD_NOW);
	if (!host) { fprintf(stderr, "gpucheck: %s\n", dlerror()); return 1; }
	CUmodule mod = NULL;
	if (!cpu_only) {
		if (!load_cuda()) { fprintf(stderr, "gpucheck: no libcuda.so.1: no NVIDIA driver here\n"); return 2; }
		CUdevice dev; CUcontext ctx;
		CK(cuInit(0));
		CK(cuDeviceGet(&dev, 0));
		char name[256];
		CK(cuDeviceGetName(name, sizeof name, dev));
		CK(cuCtxCreate(&ctx, 0, dev));
		snprintf(path, sizeof path, "%s/%s", dir, argc > 2 ? argv[2] : "kernels.sm_80.ptx");
		CK(cuModuleLoadData(&mod, ptx)); /* the driver JIT-compiles the PTX for this GPU */
		printf("device: %s; PTX %s\n", name, path);
	}

	snprintf(path, sizeof path, "%s/manifest.txt", dir);
	FILE *man = fopen(path, "r");
	if (!man) { perror(path); return 1; }
	char line[4096], kname[512];
	long items = 0;
	struct arg args[MAXARGS];
	int nargs = 0, failed = 0, cases = 0;
	double worst = 0;
	while (fgets(line, sizeof line, man)) {
		if (sscanf(line, "case %511s %ld", kname, &items) == 2) { nargs = 0; continue; }
		if (strncmp(line, "arg ", 4) == 0) {
			struct arg *a = &args[nargs++];
			char file[1024];
			memset(a, 0, sizeof *a);
			if (sscanf(line, "arg i64 %lld", &a->value) == 1) { strcpy(a->kind, "i64"); continue; }
			if (sscanf(line, "arg %3s %ld %1023s", a->kind, &a->n, file) != 3) { fprintf(stderr, "bad line: %s", line); return 1; }
			snprintf(path, sizeof path, "%s/%s", dir, file);
			size_t len;
			a->host = read_file(path, &len);
			if (len != (size_t)a->n * 4) { fprintf(stderr, "%s: %zu bytes, want %ld\n", path, len, a->n * 4); return 1; }
			a->init = malloc(len);
			memcpy(a->init, a->host, len);
			continue;
		}
		if (strncmp(line, "end", 3) != 0) continue;
		cases++;
		/* CPU */
		uintptr_t hv[MAXARGS] = {0};
		for (int i = 0; i < nargs; i++) hv[i] = strcmp(args[i].kind, "i64") == 0 ? (uintptr_t)args[i].value : (uintptr_t)args[i].host;
		kernel12 fn = (kernel12)dlsym(host, kname);
		if (!fn) { fprintf(stderr, "host.so has no %s\n", kname); return 1; }
		fn(hv[0], hv[1], hv[2], hv[3], hv[4], hv[5], hv[6], hv[7], hv[8], hv[9], hv[10], hv[11]);
		if (cpu_only) {
			int bad = 0;
			for (int i = 0; i < nargs; i++) {
				if (strcmp(args[i].kind, "f32") != 0) continue;
				const float *w = args[i].host;
				for (long j = 0; j < args[i].n; j++) bad |= !isfinite(w[j]);
			}
			failed += bad;
			printf("%-44s items %8ld  host run %s\n", kname, items, bad ? "NOT FINITE" : "finite");
			for (int i = 0; i < nargs; i++) { free(args[i].host); free(args[i].init); }
			continue;
		}
		/* GPU */
		void *params[MAXARGS];
		for (int i = 0; i < nargs; i++) {
			struct arg *a = &args[i];
			if (strcmp(a->kind, "i64") == 0) { params[i] = &a->value; continue; }
			CK(cuMemAlloc(&a->dev, a->n * 4));
			CK(cuMemcpyHtoD(a->dev, a->init, a->n * 4));
			params[i] = &a->dev;
		}
		CUfunction f;
		CK(cuModuleGetFunction(&f, mod, kname));
		unsigned grid = (unsigned)((items + BLOCK - 1) / BLOCK);
		if (grid > 0) {
			CK(cuLaunchKernel(f, grid, 1, 1, BLOCK, 1, 1, 0, NULL, params, NULL));
			CK(cuCtxSynchronize());
		}
		double err = 0;
		for (int i = 0; i < nargs; i++) {
			struct arg *a = &args[i];
			if (strcmp(a->kind, "i64") == 0) continue;
			void *got = malloc(a->n * 4);
			CK(cuMemcpyDtoH(got, a->dev, a->n * 4));
			CK(cuMemFree(a->dev));
			if (strcmp(a->kind, "f32") == 0) {
				double num = 0, den = 0;
				const float *g = got, *w = a->host;
				for (long j = 0; j < a->n; j++) {
					num = fmax(num, fabs((double)g[j] - w[j]));
					den = fmax(den, fabs((double)w[j]));
					if (isnan(g[j]) != isnan(w[j])) num = INFINITY;
				}
				double e = den > 0 ? num / den : num;
				if (e > err) err = e;
			} else if (memcmp(got, a->host, a->n * 4) != 0) {
				err = INFINITY; /* int outputs (router indices) must be identical */
			}
			free(got); free(a->host); free(a->init);
		}
		int ok = err <= 1e-5;
		if (!ok) failed++;
		if (err > worst) worst = err;
		printf("%-44s items %8ld  rel err %.2e  %s\n", kname, items, err, ok ? "ok" : "MISMATCH");
	}
	printf("%d kernels, %d mismatches, worst relative error %.2e\n", cases, failed, worst);
	return failed ? 1 : 0;
}
