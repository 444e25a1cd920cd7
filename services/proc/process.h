// Processes: one user thread each (threads come later), with an address space, a descriptor
// table and a parent. Each runs on its own kernel task, which loops entering user mode and
// serving what brought it back (syscalls, faults). A process that exits stays in the table as a
// zombie, holding only its wait status, until its parent reaps it with wait4; its children go to
// PID 1. When PID 1 exits, the kernel powers off with a status derived from its own.
#pragma once

#include <keel/box.h>
#include <keel/ktl/atomic.h>
#include <keel/ktl/string.h>
#include <keel/spin_lock.h>
#include <keel/user_mode.h>
#include <keel/wait_queue.h>

#include "services/fs/file.h"
#include "services/vm/address_space.h"

namespace keel::proc {

class System;

// Linux's signal numbers (the same on x86_64, riscv64 and arm64) for the faults that kill.
inline constexpr i32 sigill = 4;
inline constexpr i32 sigtrap = 5;
inline constexpr i32 sigbus = 7;
inline constexpr i32 sigfpe = 8;
inline constexpr i32 sigkill = 9;
inline constexpr i32 sigsegv = 11;
inline constexpr i32 sigchld = 17;

// wait(2) status words.
constexpr i32 exited_status(i32 code) { return (code & 0xff) << 8; }
constexpr i32 signaled_status(i32 signal) { return signal & 0x7f; }

struct Limit {
    u64 soft = ~u64{0};
    u64 hard = ~u64{0};
};
inline constexpr usize limit_count = 16; // RLIM_NLIMITS

class Process : public RefCounted<Process> {
public:
    Process(System& system, i32 pid, i32 ppid) : system(system), pid(pid), ppid(ppid) {
        limits[3] = Limit{8 * 1024 * 1024, ~u64{0}}; // RLIMIT_STACK
        limits[4] = Limit{0, ~u64{0}};               // RLIMIT_CORE
        limits[7] = Limit{1024, 4096};               // RLIMIT_NOFILE
    }

    System& system;
    const i32 pid;
    Atomic<i32> ppid; // changed under the system's table lock (orphans move to PID 1)
    String comm;      // the program's name, as /proc/PID/comm shows it (15 characters at most)

    Optional<Box<vm::AddressSpace>> memory;
    Optional<Box<UserContext>> thread;
    fs::FdTable files;
    Array<Limit, limit_count> limits{};
    uptr clear_child_tid = 0;
    uptr robust_list = 0;

    // Set by exit and fatal faults: the run loop stops and the process exits with it.
    Optional<i32> exit_request;

    // Under the system's table lock: a zombie's status, until it is reaped.
    bool zombie = false;
    i32 wait_status = 0;
    // The parent sleeps here in wait4; a child's exit wakes it.
    WaitQueue child_exited;

    vm::AddressSpace& mm() { return **memory; }
    UserContext& regs() { return **thread; }

    // The task body: runs the program until it exits.
    void run();
    // Ends the process with a fault's signal after a one-line log, as Linux's
    // show_unhandled_signals does.
    void kill_for_fault(i32 signal, const UserExitInfo& why);
    void set_comm(StringView path);
};

// Starts a task that runs process (already in the system's table).
Result<void> start(RefPtr<Process> process);

} // namespace keel::proc
