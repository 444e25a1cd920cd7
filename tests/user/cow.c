// fork copies the address space: the child starts with the parent's values in globals, the heap
// and the stack (several pages each), and from then on writes on either side stay on that side.
// No pipes: each child checks what it sees and reports by exit status.
#include "check.h"

#include <sched.h>
#include <stdint.h>

#define PAGE 4096
#define PAGES 5
#define SIZE (PAGES * PAGE)

static unsigned char global_buf[SIZE];        // .bss
static unsigned char data_buf[SIZE] = {1, 2}; // .data
static unsigned char* heap_buf;

static void fill(volatile unsigned char* p, unsigned seed) {
    for (size_t i = 0; i < SIZE; i++)
        p[i] = (unsigned char)(i * 7 + seed + i / PAGE);
}

static int same(const volatile unsigned char* p, unsigned seed) {
    for (size_t i = 0; i < SIZE; i++) {
        if (p[i] != (unsigned char)(i * 7 + seed + i / PAGE))
            return 0;
    }
    return 1;
}

// Exit status of the child: a bit per buffer that did not hold what it should.
static int mismatches(volatile unsigned char* stack_buf, unsigned seed) {
    return (same(global_buf, seed) ? 0 : 1) | (same(data_buf, seed + 1) ? 0 : 2) |
           (same(heap_buf, seed + 2) ? 0 : 4) | (same(stack_buf, seed + 3) ? 0 : 8);
}

static void fill_all(volatile unsigned char* stack_buf, unsigned seed) {
    fill(global_buf, seed);
    fill(data_buf, seed + 1);
    fill(heap_buf, seed + 2);
    fill(stack_buf, seed + 3);
}

static void check_child(pid_t pid, const char* what) {
    int status = -1;
    char s[32];
    CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
    if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        fprintf(stderr, "  %s: child %s (bits: 1 global, 2 data, 4 heap, 8 stack)\n", what,
                describe_status(status, s, sizeof s));
}

int main(void) {
    volatile unsigned char stack_buf[SIZE];
    heap_buf = malloc(SIZE);
    if (!CHECK(heap_buf != NULL))
        return check_result();

    // 1. The child writes; the parent's copies do not change.
    fill_all(stack_buf, 10);
    pid_t pid = fork();
    if (pid == 0) {
        int bad = mismatches(stack_buf, 10); // sees the parent's values
        fill_all(stack_buf, 50);
        bad |= mismatches(stack_buf, 50) << 4; // and its own writes
        _exit(bad);
    }
    CHECK(pid > 0);
    check_child(pid, "child sees the parent's values, then its own writes");
    CHECK(same(global_buf, 10) && "parent's global unchanged by the child");
    CHECK(same(data_buf, 11) && "parent's data unchanged by the child");
    CHECK(same(heap_buf, 12) && "parent's heap unchanged by the child");
    CHECK(same(stack_buf, 13) && "parent's stack unchanged by the child");

    // 2. The parent writes right after fork; the child still sees the old values. The child
    // yields first so that, on most schedules, the parent's writes come before its reads; it
    // checks before and after, so any order is a valid test of the copy.
    fill_all(stack_buf, 20);
    pid = fork();
    if (pid == 0) {
        int bad = mismatches(stack_buf, 20);
        for (int i = 0; i < 50; i++)
            sched_yield();
        bad |= mismatches(stack_buf, 20);
        _exit(bad);
    }
    CHECK(pid > 0);
    fill_all(stack_buf, 90);
    check_child(pid, "child keeps the old values after the parent writes");
    CHECK(mismatches(stack_buf, 90) == 0 && "parent sees its own writes");

    // 3. A grandchild: copies of copies stay apart, and all pages are still shared correctly
    // after several forks.
    pid = fork();
    if (pid == 0) {
        int bad = mismatches(stack_buf, 90);
        pid_t g = fork();
        if (g == 0)
            _exit(mismatches(stack_buf, 90) == 0 ? (fill_all(stack_buf, 3), 0) : 1);
        int status = -1;
        if (wait4(g, &status, 0, NULL) != g || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            bad |= 16;
        bad |= mismatches(stack_buf, 90) << 1;
        _exit(bad);
    }
    CHECK(pid > 0);
    check_child(pid, "grandchild");
    CHECK(mismatches(stack_buf, 90) == 0);
    free(heap_buf);
    return check_result();
}
