// The test init (PID 1 on Keel): runs every user test in order with fork + execve + wait4,
// passing a known argv and envp, prints "user: PASS <name>" or "user: FAIL <name> (<why>)" per
// test and finally "user: N passed, M failed"; exits 0 when M == 0, else 1. It uses nothing but
// fork, execve, wait4, write and exit: no /proc, pipes, signal handlers or threads.
//
// Host runs (qemu-user) set KEEL_TEST_ROOT and KEEL_TEST_EXEC; see check.h. init passes them on
// to the tests when it has them, after the fixed variables.
#include "check.h"

struct test {
    const char* name;
    const char* path;
    int extra_args; // pass TEST_ARGV_EXTRA as argv[1..]
};

static const struct test tests[] = {
    {"argv_envp_auxv", "/tests/argv_envp_auxv", 1},
#ifndef KEEL_NO_STATIC_PIE
    {"argv_envp_auxv_pie", "/tests/argv_envp_auxv_pie", 1},
#endif
    {"brk_mmap", "/tests/brk_mmap", 0},
    {"bad_pointers", "/tests/bad_pointers", 0},
    {"faults", "/tests/faults", 0},
    {"fork_exec_wait", "/tests/fork_exec_wait", 0},
    {"cow", "/tests/cow", 0},
    {"tls_errno", "/tests/tls_errno", 0},
    {"fp_preserved", "/tests/fp_preserved", 0},
    {"files", "/tests/files", 0},
    {"hello", "/hello", 0},
    {"hello_clang", "/hello-clang", 0},
#ifndef KEEL_NO_STATIC_PIE
    {"hello_pie", "/hello-pie", 0},
#endif
};

int main(void) {
    // Line-buffered, and flushed before every fork, so lines come out whole and once.
    setvbuf(stdout, NULL, _IOLBF, 0);

    static char root[4200], exec[4200];
    char* envp[16] = {TEST_ENV_FIXED};
    int n = 0;
    while (envp[n])
        n++;
    if (getenv("KEEL_TEST_ROOT")) {
        snprintf(root, sizeof root, "KEEL_TEST_ROOT=%s", getenv("KEEL_TEST_ROOT"));
        envp[n++] = root;
    }
    if (getenv("KEEL_TEST_EXEC")) {
        snprintf(exec, sizeof exec, "KEEL_TEST_EXEC=%s", getenv("KEEL_TEST_EXEC"));
        envp[n++] = exec;
    }
    envp[n] = NULL;

    int passed = 0, failed = 0;
    const int count = (int)(sizeof tests / sizeof tests[0]);
#ifdef KEEL_NO_STATIC_PIE
    printf("user: SKIP argv_envp_auxv_pie, hello_pie (%s)\n", KEEL_NO_STATIC_PIE);
#endif
    printf("user: running %d tests\n", count);
    for (int i = 0; i < count; i++) {
        const struct test* t = &tests[i];
        char* argv[16] = {(char*)t->name};
        if (t->extra_args) {
            static char* const extra[] = {TEST_ARGV_EXTRA};
            for (size_t j = 0; j < sizeof extra / sizeof extra[0]; j++)
                argv[j + 1] = extra[j];
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            test_execve(t->path, argv, envp);
            fprintf(stderr, "user: execve %s: %s\n", t->path, strerror(errno));
            _exit(127);
        }
        char why[64];
        int status = 0;
        if (pid < 0) {
            snprintf(why, sizeof why, "fork: %s", strerror(errno));
        } else {
            // As an init does, it also reaps the orphans it adopts (a test's grandchildren).
            pid_t got;
            do {
                got = wait4(-1, &status, 0, NULL);
            } while (got > 0 && got != pid);
            if (got != pid)
                snprintf(why, sizeof why, "wait4 returned %d: %s", (int)got, strerror(errno));
            else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                why[0] = 0;
            else
                describe_status(status, why, sizeof why);
        }
        if (why[0] == 0) {
            passed++;
            printf("user: PASS %s\n", t->name);
        } else {
            failed++;
            printf("user: FAIL %s (%s)\n", t->name, why);
        }
    }
    printf("user: %d passed, %d failed\n", passed, failed);
    fflush(stdout);
    return failed == 0 ? 0 : 1;
}
