#include "services/syscall/dispatch.h"

#include <keel/log.h>

#include "linux_abi.h"
#include "services/proc/system.h"
#include "services/syscall/handlers.h"

namespace keel::syscall {

namespace {

struct HandlerEntry {
    StringView name;
    Handler handler;
    u8 args; // how many arguments the trace shows
};

// Every implemented call, by Linux's name. A name this arch does not have (x86's open on
// riscv64, say) is simply never reached.
constexpr Array<HandlerEntry, 59> handlers{{
    {"read", sys_read, 3},
    {"write", sys_write, 3},
    {"readv", sys_readv, 3},
    {"writev", sys_writev, 3},
    {"pread64", sys_pread64, 4},
    {"open", sys_open, 3},
    {"openat", sys_openat, 4},
    {"close", sys_close, 1},
    {"lseek", sys_lseek, 3},
    {"fstat", sys_fstat, 2},
    {"newfstatat", sys_newfstatat, 4},
    {"stat", sys_stat, 2},
    {"lstat", sys_lstat, 2},
    {"readlink", sys_readlink, 3},
    {"readlinkat", sys_readlinkat, 4},
    {"ioctl", sys_ioctl, 3},
    {"dup", sys_dup, 1},
    {"dup2", sys_dup2, 2},
    {"dup3", sys_dup3, 3},
    {"fcntl", sys_fcntl, 3},
    {"brk", sys_brk, 1},
    {"mmap", sys_mmap, 6},
    {"munmap", sys_munmap, 2},
    {"mprotect", sys_mprotect, 3},
    {"madvise", sys_madvise, 3},
    {"exit", sys_exit, 1},
    {"exit_group", sys_exit_group, 1},
    {"getpid", sys_getpid, 0},
    {"getppid", sys_getppid, 0},
    {"gettid", sys_gettid, 0},
    {"getuid", sys_getuid, 0},
    {"geteuid", sys_geteuid, 0},
    {"getgid", sys_getgid, 0},
    {"getegid", sys_getegid, 0},
    {"set_tid_address", sys_set_tid_address, 1},
    {"set_robust_list", sys_set_robust_list, 2},
    {"arch_prctl", sys_arch_prctl, 2},
    {"prlimit64", sys_prlimit64, 4},
    {"getrlimit", sys_getrlimit, 2},
    {"setrlimit", sys_setrlimit, 2},
    {"fork", sys_fork, 0},
    {"vfork", sys_vfork, 0},
    {"clone", sys_clone, 5},
    {"execve", sys_execve, 3},
    {"wait4", sys_wait4, 4},
    {"uname", sys_uname, 1},
    {"getrandom", sys_getrandom, 3},
    {"clock_gettime", sys_clock_gettime, 2},
    {"clock_getres", sys_clock_getres, 2},
    {"gettimeofday", sys_gettimeofday, 2},
    {"nanosleep", sys_nanosleep, 2},
    {"clock_nanosleep", sys_clock_nanosleep, 4},
    {"sched_yield", sys_sched_yield, 0},
    // Calls glibc makes that Keel answers as Linux does without the feature: rseq is optional
    // (glibc carries on without it).
    {"rseq", nullptr, 4},
    {"rt_sigaction", nullptr, 4},
    {"rt_sigprocmask", nullptr, 4},
    {"futex", nullptr, 6},
    {"set_thread_area", nullptr, 1},
    {"riscv_flush_icache", nullptr, 3},
}};

struct Slot {
    StringView name = "?";
    Handler handler = nullptr;
    u8 args = 6;
};

constexpr usize max_number = 512;

// The number -> (name, handler) table of this arch, worked out at compile time.
consteval Array<Slot, max_number> build_table() {
    Array<Slot, max_number> table{};
    auto add = [&](Span<const abi::SyscallName> names) {
        for (const abi::SyscallName& n : names) {
            Slot& slot = table[n.number];
            slot.name = n.name;
            for (const HandlerEntry& h : handlers) {
                if (h.name == n.name) {
                    slot.handler = h.handler;
                    slot.args = h.args;
                }
            }
        }
    };
    add(abi::syscall_names);
    add(abi::extra_syscall_names);
    return table;
}

constexpr Array<Slot, max_number> table = build_table();

void trace(const proc::Process& p, const Slot& slot, const Args& args, const Result<u64>& result) {
    FixedString<200> line;
    format(line, "[pid {}] {}(", p.pid, slot.name);
    for (usize i = 0; i < slot.args; ++i) {
        if (i > 0) {
            line.write(", ");
        }
        format(line, "{:#x}", args[i]);
    }
    if (result.ok()) {
        format(line, ") = {:#x}", result.value());
    } else {
        format(line, ") = -1 {}", result.error());
    }
    log::info("{}", line.view());
}

} // namespace

StringView name_of(u64 number) { return number < max_number ? table[number].name : "?"; }

void dispatch(proc::Process& p) {
    u64 number = p.regs().syscall_number();
    Args args;
    for (usize i = 0; i < 6; ++i) {
        args.raw[i] = p.regs().syscall_arg(i);
    }
    const Slot none_slot;
    const Slot& slot = number < max_number ? table[number] : none_slot;
    Result<u64> result = Errno::enosys;
    if (slot.handler != nullptr) {
        result = slot.handler(p, args);
    } else if (p.system.first_unknown(number)) {
        log::info("{}[{}]: syscall {} ({}) is not implemented: ENOSYS", p.comm.view(), p.pid,
                  number, slot.name);
    }
    if (p.system.trace_syscalls) {
        trace(p, slot, args, result);
    }
    // After exit there are no registers to answer to; after execve these are the new
    // program's, whose first registers are zero anyway.
    if (p.thread) {
        p.regs().set_syscall_return(
            result.ok() ? result.value() : static_cast<u64>(-static_cast<i64>(result.error())));
    }
}

} // namespace keel::syscall
