// The Linux personality's kernel-wide state, made once at boot and reached from every process:
// the root filesystem, the process table and the syscall layer's settings. (The safe subset has
// no mutable globals; this object is what Linux keeps in globals.)
#pragma once

#include <keel/box.h>
#include <keel/ktl/atomic.h>
#include <keel/ktl/vector.h>
#include <keel/spin_lock.h>

#include "services/fs/ramfs.h"
#include "services/proc/process.h"

namespace keel::proc {

class System {
public:
    System(Box<fs::Ramfs> root, u64 boot_wall_ns) : boot_wall_ns(boot_wall_ns), root_(move(root)) {}

    fs::Ramfs& root() { return *root_; }

    // A new process with the next free pid, in the table.
    Result<RefPtr<Process>> new_process(i32 ppid);
    // The process with this pid; none when there is none (or only a reaped one).
    Optional<RefPtr<Process>> find(i32 pid);

    // For wait4: the first child of parent matching pid (-1 any) that is a zombie is removed
    // from the table and returned; `any` says whether any child matched at all.
    struct Reaped {
        Optional<RefPtr<Process>> zombie;
        bool any = false;
    };
    Reaped reap_child(i32 parent, i32 pid);
    // Whether reap_child would find something to return or nothing to wait for.
    bool child_ready(i32 parent, i32 pid);

    // Takes a process that never ran out of the table (a fork that failed half way).
    void discard(Process& process);

    // The process becomes a zombie with status; its children go to PID 1. Returns whom to wake.
    void exit(Process& process, i32 status);

    // The syscall layer: `keel.strace` traces every call; an unknown syscall number is logged
    // the first time only.
    bool trace_syscalls = false;
    bool first_unknown(u64 number);

    const u64 boot_wall_ns; // CLOCK_REALTIME at monotonic time 0

private:
    Box<fs::Ramfs> root_;
    SpinLock table_lock_;
    Vector<RefPtr<Process>> table_;
    i32 last_pid_ = 0;
    Array<Atomic<u64>, 8> unknown_seen_{};
};

} // namespace keel::proc
