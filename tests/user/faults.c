// A user fault kills only the faulting process, with the signal Linux uses, and its parent sees
// that through wait4: NULL dereference and write to a read-only page (SIGSEGV), an illegal
// instruction (SIGILL), a jump to NULL (SIGSEGV). Then a normal exit(7) is WEXITSTATUS 7.
#include "check.h"

#include <signal.h>
#include <sys/mman.h>

static void null_dereference(void) {
    volatile int* volatile p = NULL;
    (void)*p;
}

static void write_read_only(void) {
    volatile char* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(90);
    p[0] = 1;
    if (mprotect((void*)p, 4096, PROT_READ) != 0)
        _exit(91);
    p[0] = 2;
}

static void illegal_instruction(void) {
#if defined(__x86_64__)
    __asm__ volatile("ud2");
#elif defined(__aarch64__)
    __asm__ volatile(".inst 0x00000000"); // udf #0
#elif defined(__riscv)
    __asm__ volatile(".4byte 0x00000000"); // all-zero is defined to be illegal
#else
#error "unknown architecture"
#endif
}

static void jump_to_null(void) {
    void (*volatile fn)(void) = NULL;
    fn();
}

static void exit_seven(void) { exit(7); }

// Runs fn in a child and returns its status from wait4 (with or without a rusage pointer).
static int run(void (*fn)(void), int with_rusage) {
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(99); // the fault did not happen
    }
    if (!CHECK(pid > 0))
        return -1;
    int status = -1;
    struct rusage ru;
    CHECK_EQ(wait4(pid, &status, 0, with_rusage ? &ru : NULL), pid);
    return status;
}

struct fault {
    const char* name;
    void (*fn)(void);
    int signal; // 0: expect exit status 7
};

int main(void) {
    static const struct fault faults[] = {
        {"NULL dereference", null_dereference, SIGSEGV},
        {"write to a read-only page", write_read_only, SIGSEGV},
        {"illegal instruction", illegal_instruction, SIGILL},
        {"jump to NULL", jump_to_null, SIGSEGV},
        {"exit(7)", exit_seven, 0},
    };
    for (int with_rusage = 0; with_rusage < 2; with_rusage++) {
        for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
            const struct fault* f = &faults[i];
            int status = run(f->fn, with_rusage);
            int ok = f->signal ? WIFSIGNALED(status) && WTERMSIG(status) == f->signal
                               : WIFEXITED(status) && WEXITSTATUS(status) == 7;
            if (!CHECK(ok)) {
                char what[32];
                fprintf(stderr, "  %s (rusage %s): %s, expected %s %d\n", f->name,
                        with_rusage ? "given" : "NULL", describe_status(status, what, sizeof what),
                        f->signal ? "signal" : "exit", f->signal ? f->signal : 7);
            }
        }
    }
    // Everything was reaped.
    CHECK_ERR(wait4(-1, NULL, WNOHANG, NULL), ECHILD);
    return check_result();
}
