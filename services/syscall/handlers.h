// The syscall handlers, one per Linux call, named as Linux names them. Each takes the calling
// process and the six raw argument registers and returns the result or an errno.
#pragma once

#include <keel/ktl/array.h>

#include "services/proc/process.h"

namespace keel::syscall {

struct Args {
    Array<u64, 6> raw{};
    u64 operator[](usize i) const { return raw[i]; }
    i32 int_at(usize i) const { return static_cast<i32>(raw[i]); }
};

using Handler = Result<u64> (*)(proc::Process&, const Args&);

#define KEEL_SYSCALL(name) Result<u64> sys_##name(proc::Process& p, const Args& a)

// Files (fs_calls.cc)
KEEL_SYSCALL(read);
KEEL_SYSCALL(write);
KEEL_SYSCALL(readv);
KEEL_SYSCALL(writev);
KEEL_SYSCALL(pread64);
KEEL_SYSCALL(open);
KEEL_SYSCALL(openat);
KEEL_SYSCALL(close);
KEEL_SYSCALL(lseek);
KEEL_SYSCALL(fstat);
KEEL_SYSCALL(newfstatat);
KEEL_SYSCALL(stat);
KEEL_SYSCALL(lstat);
KEEL_SYSCALL(readlink);
KEEL_SYSCALL(readlinkat);
KEEL_SYSCALL(ioctl);
KEEL_SYSCALL(dup);
KEEL_SYSCALL(dup2);
KEEL_SYSCALL(dup3);
KEEL_SYSCALL(fcntl);
// Memory (mm_calls.cc)
KEEL_SYSCALL(brk);
KEEL_SYSCALL(mmap);
KEEL_SYSCALL(munmap);
KEEL_SYSCALL(mprotect);
KEEL_SYSCALL(madvise);
// Processes (proc_calls.cc)
KEEL_SYSCALL(exit);
KEEL_SYSCALL(exit_group);
KEEL_SYSCALL(getpid);
KEEL_SYSCALL(getppid);
KEEL_SYSCALL(gettid);
KEEL_SYSCALL(getuid);
KEEL_SYSCALL(geteuid);
KEEL_SYSCALL(getgid);
KEEL_SYSCALL(getegid);
KEEL_SYSCALL(set_tid_address);
KEEL_SYSCALL(set_robust_list);
KEEL_SYSCALL(arch_prctl);
KEEL_SYSCALL(prlimit64);
KEEL_SYSCALL(getrlimit);
KEEL_SYSCALL(setrlimit);
KEEL_SYSCALL(fork);
KEEL_SYSCALL(vfork);
KEEL_SYSCALL(clone);
KEEL_SYSCALL(execve);
KEEL_SYSCALL(wait4);
// Time and the rest (misc_calls.cc)
KEEL_SYSCALL(uname);
KEEL_SYSCALL(getrandom);
KEEL_SYSCALL(clock_gettime);
KEEL_SYSCALL(clock_getres);
KEEL_SYSCALL(gettimeofday);
KEEL_SYSCALL(nanosleep);
KEEL_SYSCALL(clock_nanosleep);
KEEL_SYSCALL(sched_yield);

#undef KEEL_SYSCALL

} // namespace keel::syscall
