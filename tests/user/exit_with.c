// Helper for fork_exec_wait (not a test on its own): exits with argv[1] as its status after
// checking what it was given. Exit statuses 100-103 report a wrong argv or environment; files
// passes KEEL_OPEN_FD and KEEL_CLOSED_FD, descriptors that execve must have kept (104 if not)
// and closed (105 if not).
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv, char** envp) {
    if (argc < 2)
        return 100;
    // fork_exec_wait passes KEEL_EXIT_WITH=<argv[1]> and argv[2] = "second" when argc is 3.
    const char* token = getenv("KEEL_EXIT_WITH");
    if (!token || strcmp(token, argv[1]) != 0)
        return 101;
    if (argc == 3 && strcmp(argv[2], "second") != 0)
        return 102;
    if (argc > 3 || !envp || !envp[0])
        return 103;
    const char* kept = getenv("KEEL_OPEN_FD");
    if (kept && fcntl(atoi(kept), F_GETFD) != 0)
        return 104;
    const char* closed = getenv("KEEL_CLOSED_FD");
    if (closed && (fcntl(atoi(closed), F_GETFD) != -1 || errno != EBADF))
        return 105;
    return atoi(argv[1]);
}
