// UserContext: one user thread's registers, and the way into user mode. run() executes user
// code in a VmSpace until it needs the kernel and says why: a syscall (its number and six
// arguments are read here, its result written back), a fault, or an interrupt (already handled;
// the caller just runs again). Services build the Linux personality on it without knowing the
// arch: the accessors follow each arch's Linux syscall convention.
#pragma once

#include <keel/box.h>
#include <keel/vm_space.h>

namespace keel {

enum class UserExit : u8 {
    syscall,
    page_fault,          // address, access and present say what
    illegal_instruction, // SIGILL
    breakpoint,          // SIGTRAP
    alignment,           // SIGBUS
    fp_exception,        // SIGFPE
    other_exception,     // cause has the arch's code (for the log)
    interrupt,           // nothing to do: run again
};

enum class UserAccess : u8 { read, write, execute };

struct UserExitInfo {
    UserExit exit = UserExit::other_exception;
    uptr address = 0;
    UserAccess access = UserAccess::read;
    bool present = false;
    u64 cause = 0;
};

class UserContext {
    struct Private {};

public:
    // A thread that starts at pc with stack pointer sp; every other register zero.
    static Result<Box<UserContext>> create(uptr pc, uptr sp);
    // A copy of this thread's registers (fork).
    Result<Box<UserContext>> clone() const;

    struct State;
    UserContext(Private, Box<State> state);
    UserContext(const UserContext&) = delete;
    UserContext& operator=(const UserContext&) = delete;
    ~UserContext();

    // Makes space the CPU's user half (when it is not already) and runs this thread in it until
    // it traps. A preemption due on the way back happens here, before returning.
    UserExitInfo run(VmSpace& space);

    u64 syscall_number() const;
    u64 syscall_arg(usize index) const; // index < 6, else 0
    void set_syscall_return(u64 value);
    uptr instruction_pointer() const;
    void set_instruction_pointer(uptr pc);
    uptr stack_pointer() const;
    void set_stack_pointer(uptr sp);
    uptr tls() const; // x86 FS base, riscv tp, aarch64 TPIDR_EL0
    void set_tls(uptr tls);

    // x86_64's GS base (arch_prctl); none / false on arches without one.
    Optional<uptr> gs_base() const;
    bool set_gs_base(uptr base);

    // What goes into a program's AT_HWCAP on this machine.
    static u64 hwcap();

private:
    Box<State> state_;
};

} // namespace keel
