// The program break and anonymous mappings: brk/sbrk growth, shrink and query; mmap of several
// sizes (zero-filled, writable), munmap, a hint, MAP_FIXED over a live mapping, mprotect; bad
// arguments; and the faults that follow munmap and PROT_READ, seen from forked children.
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096ul

static int all_bytes(const volatile unsigned char* p, size_t n, unsigned char v) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != v)
            return 0;
    }
    return 1;
}

static void fill(volatile unsigned char* p, size_t n, unsigned char v) {
    for (size_t i = 0; i < n; i++)
        p[i] = v;
}

static unsigned long raw_brk(unsigned long addr) { return (unsigned long)syscall(SYS_brk, addr); }

static void check_brk(void) {
    // brk(0) answers the current break; glibc's sbrk(0) agrees with it.
    unsigned long start = raw_brk(0);
    CHECK(start != 0);
    CHECK_EQ((unsigned long)sbrk(0), start);

    // Grow by an odd amount, then by 1 MiB; every new byte is writable.
    size_t grow1 = 3 * PAGE + 123, grow2 = 1 << 20;
    unsigned char* a = sbrk(grow1);
    CHECK(a != (void*)-1);
    CHECK_EQ((unsigned long)a, start);
    CHECK_EQ(raw_brk(0), start + grow1);
    unsigned char* b = sbrk(grow2);
    CHECK(b != (void*)-1);
    CHECK_EQ((unsigned long)b, start + grow1);
    CHECK_EQ(raw_brk(0), start + grow1 + grow2);
    if (a != (void*)-1 && b != (void*)-1) {
        CHECK(all_bytes(a, grow1, 0) && "new brk memory is zero");
        CHECK(all_bytes(b, grow2, 0) && "new brk memory is zero");
        fill(a, grow1 + grow2, 0x5a);
        CHECK(all_bytes(a, grow1 + grow2, 0x5a));
    }

    // Shrink back to the start (a successful brk returns the new break), then grow again: the
    // memory given back was freed, so it comes back zero-filled.
    CHECK_EQ(raw_brk(start), start);
    CHECK_EQ(raw_brk(0), start);
    CHECK_EQ(brk((void*)(start + 2 * PAGE)), 0);
    CHECK_EQ(raw_brk(0), start + 2 * PAGE);
    CHECK(all_bytes((unsigned char*)start, 2 * PAGE, 0) &&
          "brk memory regrown after a shrink is zero");
    fill((unsigned char*)start, 2 * PAGE, 0x33);
    CHECK_EQ(brk((void*)start), 0);
    CHECK_EQ((unsigned long)sbrk(0), start);
}

static void check_mmap_sizes(void) {
    static const size_t sizes[] = {PAGE, 2 * PAGE, 5 * PAGE + 777, 1 << 20, (1 << 20) + 3 * PAGE};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        unsigned char* p =
            mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (!CHECK(p != MAP_FAILED))
            continue;
        CHECK_EQ((uintptr_t)p % PAGE, 0);
        // The whole last page is there, even past an odd length.
        size_t rounded = (n + PAGE - 1) & ~(PAGE - 1);
        CHECK(all_bytes(p, rounded, 0) && "anonymous pages are zero");
        fill(p, rounded, (unsigned char)(i + 1));
        CHECK(all_bytes(p, rounded, (unsigned char)(i + 1)));
        CHECK_EQ(munmap(p, n), 0);
    }
}

static void check_hint_and_fixed(void) {
    // A hint at a free, aligned address is honoured: take one that was just given back.
    size_t n = 16 * PAGE;
    unsigned char* p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED))
        return;
    CHECK_EQ(munmap(p, n), 0);
    unsigned char* q =
        mmap(p + 4 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(q != MAP_FAILED);
    CHECK(q == p + 4 * PAGE && "a free hint is honoured");
    if (q != MAP_FAILED)
        CHECK_EQ(munmap(q, 4 * PAGE), 0);

    // MAP_FIXED over the middle of a live mapping replaces just those pages with zero pages.
    p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED))
        return;
    fill(p, 4 * PAGE, 0xaa);
    q = mmap(p + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
             -1, 0);
    CHECK(q == p + PAGE);
    CHECK(all_bytes(p, PAGE, 0xaa));
    CHECK(all_bytes(p + PAGE, 2 * PAGE, 0) && "MAP_FIXED pages are fresh");
    CHECK(all_bytes(p + 3 * PAGE, PAGE, 0xaa));
    // munmap of a piece in the middle leaves both sides.
    CHECK_EQ(munmap(p + PAGE, PAGE), 0);
    CHECK(all_bytes(p, PAGE, 0xaa));
    CHECK(all_bytes(p + 3 * PAGE, PAGE, 0xaa));
    CHECK_EQ(munmap(p, 4 * PAGE), 0); // over a hole: fine
}

// Runs fn(arg) in a child and returns its wait status.
static int in_child(void (*fn)(volatile unsigned char*), volatile unsigned char* arg) {
    pid_t pid = fork();
    if (pid == 0) {
        fn(arg);
        _exit(0);
    }
    if (!CHECK(pid > 0))
        return -1;
    int status = 0;
    CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
    return status;
}

static void write_byte(volatile unsigned char* p) { *p = 1; }
static void read_byte(volatile unsigned char* p) { (void)*p; }

static void check_mprotect_and_faults(void) {
    unsigned char* p =
        mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED))
        return;
    fill(p, 2 * PAGE, 0x77);
    CHECK_EQ(mprotect(p, PAGE, PROT_READ), 0);
    CHECK(all_bytes(p, 2 * PAGE, 0x77) && "a read-only page still reads");
    p[PAGE] = 0x78; // the other page stays writable
    CHECK_EQ(p[PAGE], 0x78);

    char what[32];
    int status = in_child(write_byte, p);
    if (!CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV))
        fprintf(stderr, "  write to PROT_READ: %s\n", describe_status(status, what, sizeof what));
    status = in_child(read_byte, p);
    if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        fprintf(stderr, "  read of PROT_READ: %s\n", describe_status(status, what, sizeof what));
    CHECK_EQ(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);
    p[0] = 1;
    CHECK_EQ(p[0], 1);

    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    status = in_child(write_byte, p);
    if (!CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV))
        fprintf(stderr, "  write after munmap: %s\n", describe_status(status, what, sizeof what));
    status = in_child(read_byte, p + PAGE);
    if (!CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV))
        fprintf(stderr, "  read after munmap: %s\n", describe_status(status, what, sizeof what));

    // Bad arguments.
    CHECK_ERR(munmap(p + 1, PAGE), EINVAL);
    void* r = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(r == MAP_FAILED && errno == EINVAL);
    // p is unmapped now: mprotect there is ENOMEM.
    CHECK_ERR(mprotect(p, PAGE, PROT_READ), ENOMEM);
    CHECK_ERR(mprotect(p + 1, PAGE, PROT_READ), EINVAL);
}

int main(void) {
    check_brk();
    check_mmap_sizes();
    check_hint_and_fixed();
    check_mprotect_and_faults();
    return check_result();
}
