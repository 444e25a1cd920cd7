// FP/SIMD state belongs to the process: register contents and the rounding mode survive system
// calls (known patterns in every FP/SIMD register across a loop of raw getpid syscalls made from
// the same inline asm), and preemption (two children at once, each running a deterministic FP
// computation for about 0.5 s with its own rounding mode, must get bit-identical results when
// they run it again).
#include "check.h"

#include <fenv.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#if defined(__x86_64__)
#define NREGS 16 // xmm0-15
#define REG_BYTES 16
#elif defined(__aarch64__)
#define NREGS 32 // v0-31
#define REG_BYTES 16
#elif defined(__riscv)
#define NREGS 32 // f0-31 (D)
#define REG_BYTES 8
#else
#error "unknown architecture"
#endif

#define SYSCALLS 2000

// Loads in[] into the FP/SIMD registers, makes n getpid syscalls, stores them to out[].
static void registers_across_syscalls(const unsigned char* in, unsigned char* out, long n) {
#if defined(__x86_64__)
    __asm__ volatile(
        "movdqu 0(%[in]), %%xmm0\n movdqu 16(%[in]), %%xmm1\n movdqu 32(%[in]), %%xmm2\n"
        "movdqu 48(%[in]), %%xmm3\n movdqu 64(%[in]), %%xmm4\n movdqu 80(%[in]), %%xmm5\n"
        "movdqu 96(%[in]), %%xmm6\n movdqu 112(%[in]), %%xmm7\n movdqu 128(%[in]), %%xmm8\n"
        "movdqu 144(%[in]), %%xmm9\n movdqu 160(%[in]), %%xmm10\n movdqu 176(%[in]), %%xmm11\n"
        "movdqu 192(%[in]), %%xmm12\n movdqu 208(%[in]), %%xmm13\n movdqu 224(%[in]), %%xmm14\n"
        "movdqu 240(%[in]), %%xmm15\n"
        "1: mov %[nr], %%eax\n syscall\n dec %[n]\n jnz 1b\n"
        "movdqu %%xmm0, 0(%[out])\n movdqu %%xmm1, 16(%[out])\n movdqu %%xmm2, 32(%[out])\n"
        "movdqu %%xmm3, 48(%[out])\n movdqu %%xmm4, 64(%[out])\n movdqu %%xmm5, 80(%[out])\n"
        "movdqu %%xmm6, 96(%[out])\n movdqu %%xmm7, 112(%[out])\n movdqu %%xmm8, 128(%[out])\n"
        "movdqu %%xmm9, 144(%[out])\n movdqu %%xmm10, 160(%[out])\n movdqu %%xmm11, 176(%[out])\n"
        "movdqu %%xmm12, 192(%[out])\n movdqu %%xmm13, 208(%[out])\n movdqu %%xmm14, 224(%[out])\n"
        "movdqu %%xmm15, 240(%[out])\n"
        : [n] "+r"(n)
        : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_getpid)
        : "rax", "rcx", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
          "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#elif defined(__aarch64__)
    __asm__ volatile("mov x9, %[in]\n"
                     "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x9], #64\n"
                     "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x9], #64\n"
                     "ld1 {v8.16b, v9.16b, v10.16b, v11.16b}, [x9], #64\n"
                     "ld1 {v12.16b, v13.16b, v14.16b, v15.16b}, [x9], #64\n"
                     "ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x9], #64\n"
                     "ld1 {v20.16b, v21.16b, v22.16b, v23.16b}, [x9], #64\n"
                     "ld1 {v24.16b, v25.16b, v26.16b, v27.16b}, [x9], #64\n"
                     "ld1 {v28.16b, v29.16b, v30.16b, v31.16b}, [x9], #64\n"
                     "1: mov x8, %[nr]\n svc #0\n subs %[n], %[n], #1\n b.ne 1b\n"
                     "mov x9, %[out]\n"
                     "st1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x9], #64\n"
                     "st1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x9], #64\n"
                     "st1 {v8.16b, v9.16b, v10.16b, v11.16b}, [x9], #64\n"
                     "st1 {v12.16b, v13.16b, v14.16b, v15.16b}, [x9], #64\n"
                     "st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x9], #64\n"
                     "st1 {v20.16b, v21.16b, v22.16b, v23.16b}, [x9], #64\n"
                     "st1 {v24.16b, v25.16b, v26.16b, v27.16b}, [x9], #64\n"
                     "st1 {v28.16b, v29.16b, v30.16b, v31.16b}, [x9], #64\n"
                     : [n] "+r"(n)
                     : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_getpid)
                     : "x0", "x8", "x9", "memory", "cc", "v0", "v1", "v2", "v3", "v4", "v5", "v6",
                       "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17",
                       "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
                       "v29", "v30", "v31");
#elif defined(__riscv)
    __asm__ volatile(
        "fld f0, 0(%[in])\n fld f1, 8(%[in])\n fld f2, 16(%[in])\n fld f3, 24(%[in])\n"
        "fld f4, 32(%[in])\n fld f5, 40(%[in])\n fld f6, 48(%[in])\n fld f7, 56(%[in])\n"
        "fld f8, 64(%[in])\n fld f9, 72(%[in])\n fld f10, 80(%[in])\n fld f11, 88(%[in])\n"
        "fld f12, 96(%[in])\n fld f13, 104(%[in])\n fld f14, 112(%[in])\n fld f15, 120(%[in])\n"
        "fld f16, 128(%[in])\n fld f17, 136(%[in])\n fld f18, 144(%[in])\n fld f19, 152(%[in])\n"
        "fld f20, 160(%[in])\n fld f21, 168(%[in])\n fld f22, 176(%[in])\n fld f23, 184(%[in])\n"
        "fld f24, 192(%[in])\n fld f25, 200(%[in])\n fld f26, 208(%[in])\n fld f27, 216(%[in])\n"
        "fld f28, 224(%[in])\n fld f29, 232(%[in])\n fld f30, 240(%[in])\n fld f31, 248(%[in])\n"
        "1: li a7, %[nr]\n ecall\n addi %[n], %[n], -1\n bnez %[n], 1b\n"
        "fsd f0, 0(%[out])\n fsd f1, 8(%[out])\n fsd f2, 16(%[out])\n fsd f3, 24(%[out])\n"
        "fsd f4, 32(%[out])\n fsd f5, 40(%[out])\n fsd f6, 48(%[out])\n fsd f7, 56(%[out])\n"
        "fsd f8, 64(%[out])\n fsd f9, 72(%[out])\n fsd f10, 80(%[out])\n fsd f11, 88(%[out])\n"
        "fsd f12, 96(%[out])\n fsd f13, 104(%[out])\n fsd f14, 112(%[out])\n fsd f15, 120(%[out])\n"
        "fsd f16, 128(%[out])\n fsd f17, 136(%[out])\n fsd f18, 144(%[out])\n fsd f19, "
        "152(%[out])\n"
        "fsd f20, 160(%[out])\n fsd f21, 168(%[out])\n fsd f22, 176(%[out])\n fsd f23, "
        "184(%[out])\n"
        "fsd f24, 192(%[out])\n fsd f25, 200(%[out])\n fsd f26, 208(%[out])\n fsd f27, "
        "216(%[out])\n"
        "fsd f28, 224(%[out])\n fsd f29, 232(%[out])\n fsd f30, 240(%[out])\n fsd f31, "
        "248(%[out])\n"
        : [n] "+r"(n)
        : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_getpid)
        : "a0", "a7", "memory", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10",
          "f11", "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23",
          "f24", "f25", "f26", "f27", "f28", "f29", "f30", "f31");
#endif
}

static void check_syscalls_keep_registers(void) {
    static unsigned char in[NREGS * REG_BYTES], out[NREGS * REG_BYTES];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i * 37 + 11 + i / REG_BYTES);
    memset(out, 0, sizeof out);
    CHECK_EQ(fesetround(FE_DOWNWARD), 0);
    registers_across_syscalls(in, out, SYSCALLS);
    CHECK_EQ(fegetround(), FE_DOWNWARD);
    CHECK_EQ(fesetround(FE_TONEAREST), 0);
    for (int r = 0; r < NREGS; r++) {
        if (!CHECK(memcmp(in + r * REG_BYTES, out + r * REG_BYTES, REG_BYTES) == 0))
            fprintf(stderr, "  FP/SIMD register %d changed across %d syscalls\n", r, SYSCALLS);
    }
}

// A deterministic FP computation that keeps many values live in FP/SIMD registers.
typedef double v2d __attribute__((vector_size(16)));
#define LANES 8
#define CHUNK 20000

struct fp_state {
    v2d acc[LANES];
};

static void fp_init(struct fp_state* s, unsigned seed) {
    for (int i = 0; i < LANES; i++)
        s->acc[i] = (v2d){1.0 + seed * 0.01 + i * 0.125, 2.0 - seed * 0.01 - i * 0.0625};
}

static void fp_chunk(struct fp_state* s) {
    v2d a0 = s->acc[0], a1 = s->acc[1], a2 = s->acc[2], a3 = s->acc[3];
    v2d a4 = s->acc[4], a5 = s->acc[5], a6 = s->acc[6], a7 = s->acc[7];
    const v2d m = {0.9999991, 0.9999983}, k = {1e-7, 3e-7};
    for (int i = 0; i < CHUNK; i++) {
        a0 = a0 * m + a1 * k;
        a1 = a1 * m + a2 * k;
        a2 = a2 * m + a3 * k;
        a3 = a3 * m + a4 * k;
        a4 = a4 * m + a5 * k;
        a5 = a5 * m + a6 * k;
        a6 = a6 * m + a7 * k;
        a7 = a7 * m + a0 * k + k;
    }
    s->acc[0] = a0, s->acc[1] = a1, s->acc[2] = a2, s->acc[3] = a3;
    s->acc[4] = a4, s->acc[5] = a5, s->acc[6] = a6, s->acc[7] = a7;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// A child's work: run chunks for ~0.5 s, then the same number again from the start; the two
// results must be bit-identical. Returns the exit status (0 = same).
static int preempted_child(unsigned seed, int round) {
    if (fesetround(round) != 0)
        return 2;
    struct fp_state first, second;
    fp_init(&first, seed);
    long chunks = 0;
    double end = now() + 0.5;
    do {
        fp_chunk(&first);
        chunks++;
    } while (now() < end || chunks < 4);
    fp_init(&second, seed);
    for (long i = 0; i < chunks; i++)
        fp_chunk(&second);
    if (fegetround() != round)
        return 3;
    return memcmp(&first, &second, sizeof first) == 0 ? 0 : 1;
}

static void check_preemption_keeps_state(void) {
    static const int rounds[2] = {FE_UPWARD, FE_TOWARDZERO};
    pid_t pids[2];
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(preempted_child(i + 1, rounds[i]));
        CHECK(pids[i] > 0);
    }
    for (int i = 0; i < 2; i++) {
        int status = -1;
        char s[32];
        CHECK_EQ(wait4(pids[i], &status, 0, NULL), pids[i]);
        if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0))
            fprintf(stderr, "  FP child %d: %s (1: results differ, 3: rounding mode lost)\n", i,
                    describe_status(status, s, sizeof s));
    }
}

int main(void) {
    check_syscalls_keep_registers();
    check_preemption_keeps_state();
    return check_result();
}
