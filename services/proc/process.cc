#include "services/proc/process.h"

#include <keel/log.h>
#include <keel/task.h>

#include "services/proc/system.h"
#include "services/syscall/dispatch.h"

namespace keel::proc {

namespace {

StringView access_name(UserAccess access) {
    switch (access) {
    case UserAccess::read:
        return "read";
    case UserAccess::write:
        return "write";
    case UserAccess::execute:
        return "execute";
    }
    return "?";
}

} // namespace

void Process::set_comm(StringView path) {
    usize slash = 0;
    for (usize i = 0; i < path.size(); ++i) {
        slash = path[i] == '/' ? i + 1 : slash;
    }
    StringView base = path.substr(slash);
    Result<String> name = String::from(base.substr(0, min<usize>(base.size(), 15)));
    if (name.ok()) {
        comm = move(name.value());
    }
}

void Process::kill_for_fault(i32 signal, const UserExitInfo& why) {
    uptr pc = regs().instruction_pointer();
    uptr sp = regs().stack_pointer();
    switch (why.exit) {
    case UserExit::page_fault:
        log::warn("{}[{}]: segfault ({} of {:#x}, {}) at pc {:#x} sp {:#x}", comm.view(), pid,
                  access_name(why.access), why.address,
                  why.present ? StringView("not permitted") : StringView("unmapped"), pc, sp);
        break;
    case UserExit::illegal_instruction:
        log::warn("{}[{}]: illegal instruction at pc {:#x} sp {:#x}", comm.view(), pid, pc, sp);
        break;
    default:
        log::warn("{}[{}]: killed by signal {} (trap cause {:#x}) at pc {:#x} sp {:#x}",
                  comm.view(), pid, signal, why.cause, pc, sp);
        break;
    }
    exit_request = signaled_status(signal);
}

void Process::run() {
    while (!exit_request) {
        UserExitInfo why = regs().run(mm().vm());
        switch (why.exit) {
        case UserExit::syscall:
            syscall::dispatch(*this);
            break;
        case UserExit::page_fault:
            if (mm().handle_fault(why.address, why.access).is_error()) {
                kill_for_fault(sigsegv, why);
            }
            break;
        case UserExit::illegal_instruction:
            kill_for_fault(sigill, why);
            break;
        case UserExit::breakpoint:
            kill_for_fault(sigtrap, why);
            break;
        case UserExit::alignment:
            kill_for_fault(sigbus, why);
            break;
        case UserExit::fp_exception:
            kill_for_fault(sigfpe, why);
            break;
        case UserExit::other_exception:
            kill_for_fault(sigsegv, why);
            break;
        case UserExit::interrupt:
            break;
        }
    }
    // What Linux's do_exit releases: files, then memory (this task's own space, so that no CPU
    // keeps it), then the zombie is left for the parent.
    files.close_all();
    memory.reset();
    system.exit(*this, *exit_request);
}

Result<void> start(RefPtr<Process> process) {
    FixedString<32> name;
    format(name, "pid {}", process->pid);
    TRY(spawn(name.view(), [process]() mutable { process->run(); }));
    return {};
}

} // namespace keel::proc
