/* Shared helpers for Keel's user-space test programs (tests/user/).
 *
 * Each test is a static Linux program: exit status 0 means it passed. CHECK() reports a failed
 * expectation as "file:line: what failed" on stderr and remembers it; a test ends with
 * `return check_result();`.
 *
 * Host runs (qemu-user, no binfmt_misc) set two environment variables, used only when set and
 * never on Keel:
 *   KEEL_TEST_ROOT  a directory prefix for the absolute paths of programs and data;
 *   KEEL_TEST_EXEC  a program to exec through: execve(EXEC, {EXEC, path, argv[1]...}, envp).
 * test_path() and test_execve() are the only places that look at them. */
#ifndef KEEL_TESTS_USER_CHECK_H
#define KEEL_TESTS_USER_CHECK_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int check_failures;

static inline void check_failed(const char* file, int line, const char* what) {
    fprintf(stderr, "%s:%d: %s\n", file, line, what);
    check_failures++;
}

/* CHECK(cond): on failure prints "file:line: cond" and remembers it; evaluates to cond. */
#define CHECK(cond) ((cond) ? 1 : (check_failed(__FILE__, __LINE__, "CHECK(" #cond ") failed"), 0))

/* CHECK_EQ(a, b) for integers: also prints both values. */
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            char check_msg_[512];                                                                  \
            snprintf(check_msg_, sizeof check_msg_,                                                \
                     "%s == %s failed: %lld (0x%llx) vs %lld (0x%llx)", #a, #b, check_a_,          \
                     (unsigned long long)check_a_, check_b_, (unsigned long long)check_b_);        \
            check_failed(__FILE__, __LINE__, check_msg_);                                          \
        }                                                                                          \
    } while (0)

/* CHECK_ERR(call, err): the call returns -1 (MAP_FAILED counts) and sets errno to err. */
#define CHECK_ERR(call, err)                                                                       \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long check_r_ = (long)(call);                                                              \
        int check_e_ = errno;                                                                      \
        if (check_r_ != -1 || check_e_ != (err)) {                                                 \
            char check_msg_[512];                                                                  \
            snprintf(check_msg_, sizeof check_msg_,                                                \
                     "%s: expected -1 with %s, got %ld with errno %d (%s)", #call, #err, check_r_, \
                     check_e_, strerror(check_e_));                                                \
            check_failed(__FILE__, __LINE__, check_msg_);                                          \
        }                                                                                          \
    } while (0)

static inline int check_result(void) { return check_failures == 0 ? 0 : 1; }

/* Describes a wait status for messages: "exit 3", "signal 11". */
static inline const char* describe_status(int status, char* buf, size_t size) {
    if (WIFEXITED(status))
        snprintf(buf, size, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "signal %d", WTERMSIG(status));
    else
        snprintf(buf, size, "status 0x%x", status);
    return buf;
}

/* The absolute path `path` (e.g. "/tests/hello") as seen by this run: prefixed with
 * KEEL_TEST_ROOT when that is set. test_path_into writes it into buf; test_path returns one static
 * buffer (overwritten by the next call). */
static inline const char* test_path_into(char* buf, size_t size, const char* path) {
    const char* root = getenv("KEEL_TEST_ROOT");
    snprintf(buf, size, "%s%s", root ? root : "", path);
    return buf;
}

static inline const char* test_path(const char* path) {
    static char buf[4096];
    return test_path_into(buf, sizeof buf, path);
}

/* execve of the absolute path `path` (resolved by test_path) with argv[1..] and envp. argv[0]
 * is always replaced by the resolved path, so a program sees the same argv[0] whether it was
 * executed directly (Keel) or through KEEL_TEST_EXEC (qemu-user names the guest's argv[0] after
 * the file it loads). Returns only on failure, like execve. */
static inline int test_execve(const char* path, char* const argv[], char* const envp[]) {
    char full[4096];
    char* args[64];
    const char* exec = getenv("KEEL_TEST_EXEC");
    int n = 0;

    test_path_into(full, sizeof full, path);
    if (exec && *exec)
        args[n++] = (char*)exec;
    args[n++] = full;
    for (int i = 1; argv && argv[0] && argv[i]; i++) {
        if (n >= 63) {
            errno = E2BIG;
            return -1;
        }
        args[n++] = argv[i];
    }
    args[n] = NULL;
    return execve(exec && *exec ? exec : full, args, envp);
}

/* What init passes to every test, and what argv_envp_auxv expects to find. The KEEL_TEST_*
 * variables are appended by init when it has them itself (host runs only). */
#define TEST_ENV_FIXED "HOME=/", "PATH=/tests:/", "TERM=dumb", "KEEL_USER_TEST=1"
#define TEST_ARGV_EXTRA "first", "", "two words", "tab\there", "caf\xc3\xa9", "--flag=x=y"

#endif
