// Process life: exit, ids, fork/clone, execve, wait4, and the per-thread settings glibc makes at
// start-up (set_tid_address, set_robust_list, arch_prctl, prlimit64).
#include <keel/log.h>

#include "linux_abi.h"
#include "services/exec/exec.h"
#include "services/proc/system.h"
#include "services/proc/user_memory.h"
#include "services/syscall/handlers.h"

namespace keel::syscall {

namespace {

proc::UserMemory user(proc::Process& p) { return proc::UserMemory(p.mm()); }

constexpr u64 csignal = 0xff;
constexpr u64 clone_vm = 0x100;
constexpr u64 clone_vfork = 0x4000;
constexpr u64 clone_settls = 0x80000;
constexpr u64 clone_parent_settid = 0x100000;
constexpr u64 clone_child_cleartid = 0x200000;
constexpr u64 clone_child_settid = 0x1000000;

constexpr u64 wnohang = 1;
constexpr u64 wait_options_known = 1 | 2 | 8 | 0x20000000 | 0x40000000 | 0x80000000;

constexpr usize rusage_size = 144; // struct rusage on every 64-bit arch
constexpr usize max_args = 0x7fffffff;

Result<u64> fork_process(proc::Process& parent, u64 flags, uptr stack, uptr parent_tid,
                         uptr child_tid, uptr tls) {
    u64 supported = csignal | clone_vfork | clone_settls | clone_parent_settid |
                    clone_child_cleartid | clone_child_settid;
    if ((flags & ~supported) != 0 ||
        ((flags & csignal) != 0 && (flags & csignal) != proc::sigchld)) {
        // Threads (CLONE_VM, CLONE_THREAD...) and signals come in a later issue.
        if ((flags & clone_vm) != 0 && parent.system.first_unknown(0x1000 + 1)) {
            log::info("{}[{}]: clone with CLONE_VM (threads, posix_spawn) is not supported yet",
                      parent.comm.view(), parent.pid);
        }
        return Errno::einval;
    }
    RefPtr<proc::Process> child = TRY(parent.system.new_process(parent.pid));
    auto build = [&]() -> Result<void> {
        child->comm = TRY(parent.comm.clone());
        child->memory = TRY(parent.mm().fork());
        child->thread = TRY(parent.regs().clone());
        child->files = TRY(parent.files.clone());
        child->limits = parent.limits;
        child->regs().set_syscall_return(0);
        if (stack != 0) {
            child->regs().set_stack_pointer(stack);
        }
        if ((flags & clone_settls) != 0) {
            child->regs().set_tls(tls);
        }
        Array<u8, 4> pid_bytes{};
        for (usize i = 0; i < 4; ++i) {
            pid_bytes[i] = static_cast<u8>(static_cast<u32>(child->pid) >> (8 * i));
        }
        if ((flags & clone_child_settid) != 0) {
            TRY(child->mm().fault_in(child_tid, 4, UserAccess::write));
            TRY(child->mm().populate(child_tid, Bytes(pid_bytes.span())));
        }
        if ((flags & clone_parent_settid) != 0) {
            TRY(user(parent).write_value<i32>(parent_tid, child->pid));
        }
        if ((flags & clone_child_cleartid) != 0) {
            child->clear_child_tid = child_tid;
        }
        return proc::start(child);
    };
    Result<void> built = build();
    if (built.is_error()) {
        parent.system.discard(*child);
        return built.error();
    }
    return static_cast<u64>(child->pid);
}

// argv or envp: a NULL-terminated array of string pointers (NULL itself: empty).
Result<Vector<String>> string_array(proc::Process& p, uptr array, usize& total) {
    Vector<String> strings;
    if (array == 0) {
        return strings;
    }
    for (usize i = 0; i < max_args; ++i) {
        uptr at = TRY(user(p).read_value<u64>(array + i * 8));
        if (at == 0) {
            return strings;
        }
        Result<String> s = user(p).read_string(at, exec::max_arg_string - 1);
        if (s.is_error()) {
            return s.error() == Errno::enametoolong ? Errno::e2big : s.error();
        }
        total += s.value().size() + 1 + 8;
        if (total > exec::max_args_total) {
            return Errno::e2big;
        }
        TRY(strings.push_back(move(s.value())));
    }
    return Errno::e2big;
}

} // namespace

Result<u64> sys_exit(proc::Process& p, const Args& a) {
    // One thread per process for now, so exit and exit_group are the same.
    p.exit_request = proc::exited_status(a.int_at(0));
    return u64{0};
}

Result<u64> sys_exit_group(proc::Process& p, const Args& a) { return sys_exit(p, a); }
Result<u64> sys_getpid(proc::Process& p, const Args&) { return static_cast<u64>(p.pid); }
Result<u64> sys_gettid(proc::Process& p, const Args&) { return static_cast<u64>(p.pid); }
Result<u64> sys_getppid(proc::Process& p, const Args&) {
    return static_cast<u64>(p.ppid.load(MemoryOrder::relaxed));
}
// Everything runs as root until credentials arrive.
Result<u64> sys_getuid(proc::Process&, const Args&) { return u64{0}; }
Result<u64> sys_geteuid(proc::Process&, const Args&) { return u64{0}; }
Result<u64> sys_getgid(proc::Process&, const Args&) { return u64{0}; }
Result<u64> sys_getegid(proc::Process&, const Args&) { return u64{0}; }

Result<u64> sys_set_tid_address(proc::Process& p, const Args& a) {
    p.clear_child_tid = a[0];
    return static_cast<u64>(p.pid);
}

Result<u64> sys_set_robust_list(proc::Process& p, const Args& a) {
    if (a[1] != 24) { // sizeof(struct robust_list_head) on 64-bit
        return Errno::einval;
    }
    p.robust_list = a[0];
    return u64{0};
}

Result<u64> sys_arch_prctl(proc::Process& p, const Args& a) {
    constexpr u64 arch_set_gs = 0x1001;
    constexpr u64 arch_set_fs = 0x1002;
    constexpr u64 arch_get_fs = 0x1003;
    constexpr u64 arch_get_gs = 0x1004;
    switch (a[0]) {
    case arch_set_gs:
        if (a[1] >= VmSpace::user_end()) {
            return Errno::eperm;
        }
        return p.regs().set_gs_base(a[1]) ? Result<u64>(u64{0}) : Errno::einval;
    case arch_get_gs: {
        Optional<uptr> gs = p.regs().gs_base();
        if (!gs) {
            return Errno::einval;
        }
        TRY(user(p).write_value<u64>(a[1], *gs));
        return u64{0};
    }
    case arch_set_fs:
        if (a[1] >= VmSpace::user_end()) {
            return Errno::eperm; // Linux: a non-canonical or kernel address
        }
        p.regs().set_tls(a[1]);
        return u64{0};
    case arch_get_fs:
        TRY(user(p).write_value<u64>(a[1], p.regs().tls()));
        return u64{0};
    default:
        return Errno::einval;
    }
}

Result<u64> sys_prlimit64(proc::Process& p, const Args& a) {
    i32 pid = a.int_at(0);
    if (pid != 0 && pid != p.pid) {
        return p.system.find(pid) ? Errno::eperm : Errno::esrch;
    }
    if (a[1] >= proc::limit_count) {
        return Errno::einval;
    }
    proc::Limit& limit = p.limits[a[1]];
    proc::Limit old = limit;
    if (a[2] != 0) {
        u64 soft = TRY(user(p).read_value<u64>(a[2]));
        u64 hard = TRY(user(p).read_value<u64>(a[2] + 8));
        if (soft > hard) {
            return Errno::einval;
        }
        if (hard > limit.hard) {
            return Errno::eperm; // raising a hard limit needs CAP_SYS_RESOURCE... root has it
        }
        limit = proc::Limit{soft, hard};
    }
    if (a[3] != 0) {
        TRY(user(p).write_value<u64>(a[3], old.soft));
        TRY(user(p).write_value<u64>(a[3] + 8, old.hard));
    }
    return u64{0};
}

Result<u64> sys_getrlimit(proc::Process& p, const Args& a) {
    Args args;
    args.raw = {{0, a[0], 0, a[1], 0, 0}};
    return sys_prlimit64(p, args);
}

Result<u64> sys_setrlimit(proc::Process& p, const Args& a) {
    Args args;
    args.raw = {{0, a[0], a[1], 0, 0, 0}};
    return sys_prlimit64(p, args);
}

Result<u64> sys_fork(proc::Process& p, const Args&) {
    return fork_process(p, proc::sigchld, 0, 0, 0, 0);
}
// vfork's parent may run on before the child execs: a plain fork is a valid vfork.
Result<u64> sys_vfork(proc::Process& p, const Args&) {
    return fork_process(p, proc::sigchld, 0, 0, 0, 0);
}

Result<u64> sys_clone(proc::Process& p, const Args& a) {
    bool tls_first = abi::clone_args == abi::CloneArgs::tls_then_child_tid;
    uptr tls = tls_first ? a[3] : a[4];
    uptr child_tid = tls_first ? a[4] : a[3];
    return fork_process(p, a[0], a[1], a[2], child_tid, tls);
}

Result<u64> sys_execve(proc::Process& p, const Args& a) {
    String path = TRY(user(p).read_string(a[0], 4095));
    if (path.empty()) {
        return Errno::enoent;
    }
    usize total = 0;
    Vector<String> argv = TRY(string_array(p, a[1], total));
    Vector<String> envp = TRY(string_array(p, a[2], total));
    RefPtr<fs::Inode> inode = TRY(p.system.root().lookup(path.view()));
    if (!inode->is_regular() || (inode->mode() & 0111) == 0) {
        return Errno::eacces;
    }
    exec::Program program = TRY(exec::load(inode->data(), path.view(), argv.span(), envp.span()));
    // The point of no return: the old image goes.
    p.thread = move(program.thread);
    p.memory = move(program.memory);
    p.files.close_on_exec_all();
    p.set_comm(path.view());
    p.clear_child_tid = 0;
    p.robust_list = 0;
    return u64{0};
}

Result<u64> sys_wait4(proc::Process& p, const Args& a) {
    i32 pid = a.int_at(0);
    if ((a[2] & ~wait_options_known) != 0 || pid == static_cast<i32>(0x80000000)) {
        return pid == static_cast<i32>(0x80000000) ? Errno::esrch : Errno::einval;
    }
    for (;;) {
        proc::System::Reaped reaped = p.system.reap_child(p.pid, pid);
        if (reaped.zombie) {
            proc::Process& child = **reaped.zombie;
            if (a[1] != 0) {
                TRY(user(p).write_value<i32>(a[1], child.wait_status));
            }
            if (a[3] != 0) {
                Array<u8, rusage_size> zero{};
                TRY(user(p).write(a[3], Bytes(zero.span())));
            }
            return static_cast<u64>(child.pid);
        }
        if (!reaped.any) {
            return Errno::echild;
        }
        if ((a[2] & wnohang) != 0) {
            return u64{0};
        }
        p.child_exited.wait_until([&] { return p.system.child_ready(p.pid, pid); });
    }
}

} // namespace keel::syscall
