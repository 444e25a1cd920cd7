#include "services/proc/system.h"

#include <keel/log.h>
#include <keel/power.h>

namespace keel::proc {

namespace {
constexpr i32 max_pid = 4194304; // Linux's PID_MAX_LIMIT on 64-bit
constexpr i32 init_pid = 1;

bool matches(const Process& p, i32 parent, i32 pid) {
    // pid 0 and < -1 name process groups; every process is in one group for now.
    return p.ppid.load(MemoryOrder::relaxed) == parent && (pid <= 0 || p.pid == pid);
}
} // namespace

Result<RefPtr<Process>> System::new_process(i32 ppid) {
    SpinLockGuard guard(table_lock_);
    TRY(table_.reserve(table_.size() + 1));
    // The next pid after the last one given out that is not in use, wrapping like Linux.
    for (i32 tries = 0; tries < max_pid; ++tries) {
        last_pid_ = last_pid_ >= max_pid - 1 ? 2 : last_pid_ + 1;
        bool used = false;
        for (const RefPtr<Process>& p : table_) {
            used = used || p->pid == last_pid_;
        }
        if (!used) {
            RefPtr<Process> process = TRY(make_ref<Process>(*this, last_pid_, ppid));
            TRY(table_.push_back(process));
            return process;
        }
    }
    return Errno::eagain;
}

Optional<RefPtr<Process>> System::find(i32 pid) {
    SpinLockGuard guard(table_lock_);
    for (const RefPtr<Process>& p : table_) {
        if (p->pid == pid) {
            return p;
        }
    }
    return none;
}

System::Reaped System::reap_child(i32 parent, i32 pid) {
    SpinLockGuard guard(table_lock_);
    Reaped result;
    for (usize i = 0; i < table_.size(); ++i) {
        Process& p = *table_[i];
        if (!matches(p, parent, pid)) {
            continue;
        }
        result.any = true;
        if (p.zombie) {
            result.zombie = table_[i];
            table_.remove(i);
            return result;
        }
    }
    return result;
}

bool System::child_ready(i32 parent, i32 pid) {
    SpinLockGuard guard(table_lock_);
    bool any = false;
    for (const RefPtr<Process>& p : table_) {
        if (matches(*p, parent, pid)) {
            any = true;
            if (p->zombie) {
                return true;
            }
        }
    }
    return !any;
}

void System::discard(Process& process) {
    SpinLockGuard guard(table_lock_);
    for (usize i = 0; i < table_.size(); ++i) {
        if (table_[i]->pid == process.pid) {
            table_.remove(i);
            return;
        }
    }
}

void System::exit(Process& process, i32 status) {
    if (process.pid == init_pid) {
        // Linux panics here ("Attempted to kill init!"); a test initramfs wants the status as
        // the machine's exit status instead: the exit code, or 128 + the signal.
        bool signaled = (status & 0x7f) != 0;
        i32 code = signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
        if (signaled) {
            log::info("init (pid 1) was killed by signal {}; powering off", status & 0x7f);
        } else {
            log::info("init (pid 1) exited with status {}; powering off", code);
        }
        power_off(code);
    }
    Optional<RefPtr<Process>> parent;
    bool orphaned_zombie = false;
    {
        SpinLockGuard guard(table_lock_);
        process.zombie = true;
        process.wait_status = status;
        for (const RefPtr<Process>& p : table_) {
            if (p->pid == process.ppid.load(MemoryOrder::relaxed)) {
                parent = p;
            }
            if (p->ppid.load(MemoryOrder::relaxed) == process.pid) {
                p->ppid.store(init_pid, MemoryOrder::relaxed);
                orphaned_zombie = orphaned_zombie || p->zombie;
            }
        }
    }
    // Woken outside the table lock: the waiters' condition takes it under their queue's lock.
    if (parent) {
        (*parent)->child_exited.wake_all();
    }
    if (orphaned_zombie) {
        if (Optional<RefPtr<Process>> init = find(init_pid)) {
            (*init)->child_exited.wake_all();
        }
    }
}

bool System::first_unknown(u64 number) {
    if (number >= unknown_seen_.size() * 64) {
        number = unknown_seen_.size() * 64 - 1; // every huge number shares the last bit
    }
    u64 bit = u64{1} << (number % 64);
    u64 before = unknown_seen_[number / 64].fetch_or(bit, MemoryOrder::relaxed);
    return (before & bit) == 0;
}

} // namespace keel::proc
