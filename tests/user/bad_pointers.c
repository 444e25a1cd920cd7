// System calls given bad user pointers fail with EFAULT instead of crashing the program (or the
// kernel): a low unmapped address, NULL, and a kernel-half address. An unknown call is ENOSYS. Raw syscall() is used so that
// libc neither checks the pointers nor goes through a vDSO.
#include "check.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>

#define KERNEL_ADDRESS ((void*)0xffffffff80000000ul)

int main(int argc, char** argv) {
    (void)argc;
    CHECK_ERR(syscall(SYS_write, 1, (void*)1, 10), EFAULT);
    CHECK_ERR(syscall(SYS_write, 1, KERNEL_ADDRESS, 10), EFAULT);

    // A file that exists in both runs: this program itself.
    int fd = open(argv[0], O_RDONLY);
    if (CHECK(fd >= 0)) {
        CHECK_ERR(syscall(SYS_read, fd, KERNEL_ADDRESS, 16), EFAULT);
        CHECK_ERR(syscall(SYS_read, fd, (void*)1, 16), EFAULT);
        CHECK_ERR(syscall(SYS_read, fd, NULL, 16), EFAULT);
        // The failed reads left the file usable: the first bytes are the ELF magic.
        char magic[4];
        CHECK_EQ(pread(fd, magic, 4, 0), 4);
        CHECK(memcmp(magic, "\177ELF", 4) == 0);
        CHECK_EQ(close(fd), 0);
    }

    CHECK_ERR(syscall(SYS_uname, (void*)1), EFAULT);
    CHECK_ERR(syscall(SYS_uname, KERNEL_ADDRESS), EFAULT);
    CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_REALTIME, KERNEL_ADDRESS), EFAULT);
    CHECK_ERR(syscall(SYS_openat, AT_FDCWD, (char*)1, O_RDONLY), EFAULT);
    CHECK_ERR(syscall(SYS_openat, AT_FDCWD, KERNEL_ADDRESS, O_RDONLY), EFAULT);

    // A number no arch gives a call: ENOSYS, each time (Keel logs it once; scripts/user.sh
    // checks the log).
    CHECK_ERR(syscall(1000), ENOSYS);
    CHECK_ERR(syscall(1000, 1, 2, 3), ENOSYS);

    // The process is still fine: a good call works.
    struct timespec ts;
    CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts), 0);
    return check_result();
}
