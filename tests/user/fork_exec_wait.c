// Processes: fork, execve of another program (/tests/helpers/exit_with, which exits with its
// argv[1] after checking its argv and environment), wait4 by pid and with -1, getppid, WNOHANG on
// a running child, ECHILD without children, and execve's errors (ENOENT, ENOEXEC).
#include "check.h"

#include <sched.h>

#define EXIT_WITH "/tests/helpers/exit_with"

static char env_token[64];

// fork + execve of exit_with `code` (with argv[2] = "second" when `second`).
static pid_t spawn_exit_with(int code, int second) {
    char arg[16];
    snprintf(arg, sizeof arg, "%d", code);
    snprintf(env_token, sizeof env_token, "KEEL_EXIT_WITH=%d", code);
    char* argv[] = {"exit_with", arg, second ? "second" : NULL, NULL};
    // KEEL_TEST_ROOT/EXEC travel along so the host run can exec again; on Keel they are unset.
    char* envp[4] = {env_token, NULL, NULL, NULL};
    int n = 1;
    static char root[4200], exec[4200];
    if (getenv("KEEL_TEST_ROOT")) {
        snprintf(root, sizeof root, "KEEL_TEST_ROOT=%s", getenv("KEEL_TEST_ROOT"));
        envp[n++] = root;
    }
    if (getenv("KEEL_TEST_EXEC")) {
        snprintf(exec, sizeof exec, "KEEL_TEST_EXEC=%s", getenv("KEEL_TEST_EXEC"));
        envp[n++] = exec;
    }
    pid_t pid = fork();
    if (pid == 0) {
        test_execve(EXIT_WITH, argv, envp);
        _exit(120 + (errno & 7)); // execve failed
    }
    CHECK(pid > 0);
    return pid;
}

static void check_status(int status, int code) {
    char what[32];
    if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == code))
        fprintf(stderr, "  child: %s, expected exit %d\n",
                describe_status(status, what, sizeof what), code);
}

int main(void) {
    pid_t self = getpid();
    int status;

    // No children yet.
    CHECK_ERR(wait4(-1, &status, 0, NULL), ECHILD);
    CHECK_ERR(wait4(-1, &status, WNOHANG, NULL), ECHILD);

    // fork: the child's parent is us; its exit status comes back through wait4 by pid.
    pid_t pid = fork();
    if (pid == 0)
        _exit(getppid() == self && getpid() != self ? 0 : 1);
    CHECK(pid > 0 && pid != self);
    struct rusage ru;
    CHECK_EQ(wait4(pid, &status, 0, &ru), pid);
    check_status(status, 0);
    CHECK_ERR(wait4(pid, &status, 0, NULL), ECHILD); // reaped: gone

    // fork + execve, wait4 by pid.
    pid = spawn_exit_with(42, 1);
    CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
    check_status(status, 42);
    pid = spawn_exit_with(0, 0);
    CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
    check_status(status, 0);

    // Three at once, reaped with -1 in whatever order they end.
    pid_t pids[3];
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++)
        pids[i] = spawn_exit_with(10 + i, i == 1);
    for (int i = 0; i < 3; i++) {
        pid_t got = wait4(-1, &status, 0, NULL);
        int found = 0;
        for (int j = 0; j < 3; j++) {
            if (got == pids[j] && !seen[j]) {
                seen[j] = found = 1;
                check_status(status, 10 + j);
            }
        }
        if (!CHECK(found))
            fprintf(stderr, "  wait4(-1) returned %d\n", (int)got);
    }
    CHECK_ERR(wait4(-1, &status, WNOHANG, NULL), ECHILD);

    // WNOHANG on a child that is still running answers 0 and leaves the status alone. No clock
    // decides who is first: the child runs until its parent - a helper, whose exit status
    // carries the checks' result - has exited, so it cannot end before the checks. The orphan
    // is then adopted (by init on Keel) and ends on its own.
    pid = fork();
    if (pid == 0) {
        pid_t helper = getpid();
        pid_t child = fork();
        if (child == 0) {
            while (getppid() == helper)
                sched_yield();
            _exit(0);
        }
        int s = 12345;
        int bad = child < 0;
        bad |= (wait4(child, &s, WNOHANG, NULL) != 0) << 1;
        bad |= (wait4(-1, &s, WNOHANG, NULL) != 0) << 2;
        bad |= (s != 12345) << 3;
        _exit(bad);
    }
    CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
    if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        fprintf(stderr, "  WNOHANG helper: status %#x (2: by pid, 4: with -1, 8: status written)\n",
                status);

    // A blocking wait4 on a child that is busy (for a count, not a time: either may be first)
    // returns when it exits.
    pid = fork();
    if (pid == 0) {
        for (volatile long i = 0; i < 2000000; i++) {
        }
        _exit(3);
    }
    CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
    check_status(status, 3);

    // execve's errors return to the caller (no exec-through here: those are the kernel's own
    // answers, and on a host run qemu-user passes execve to the host kernel).
    char* argv[] = {"x", NULL};
    char* envp[] = {NULL};
    char path[4096];
    CHECK_ERR(execve(test_path_into(path, sizeof path, "/tests/no_such_program"), argv, envp),
              ENOENT);
    CHECK_ERR(execve(test_path_into(path, sizeof path, "/tests/no_such_dir/x"), argv, envp),
              ENOENT);
    CHECK_ERR(execve(test_path_into(path, sizeof path, "/tests/data/not_elf.txt"), argv, envp),
              ENOEXEC);

    CHECK_ERR(wait4(-1, &status, 0, NULL), ECHILD);
    return check_result();
}
