// UserContext over the arch's enter_user: the registers live in a heap State (the public header
// stays arch-free), and run() activates the space, enters, and on the way back lets the
// scheduler preempt after an interrupt (the user-mode half of interrupt_exit).
#include <keel/user_mode.h>

#include <arch/cpu.h>
#include <arch/user_mode.h>

#include "sched/scheduler.h"

namespace keel {

struct UserContext::State {
    arch::UserRegisters regs;
};

namespace {
UserExit exit_of(arch::UserTrap trap) {
    switch (trap) {
    case arch::UserTrap::syscall:
        return UserExit::syscall;
    case arch::UserTrap::page_fault:
        return UserExit::page_fault;
    case arch::UserTrap::illegal_instruction:
        return UserExit::illegal_instruction;
    case arch::UserTrap::breakpoint:
        return UserExit::breakpoint;
    case arch::UserTrap::alignment:
        return UserExit::alignment;
    case arch::UserTrap::fp_exception:
        return UserExit::fp_exception;
    case arch::UserTrap::other_exception:
        return UserExit::other_exception;
    case arch::UserTrap::interrupt:
        return UserExit::interrupt;
    }
    return UserExit::other_exception;
}

UserAccess access_of(arch::FaultAccess access) {
    switch (access) {
    case arch::FaultAccess::read:
        return UserAccess::read;
    case arch::FaultAccess::write:
        return UserAccess::write;
    case arch::FaultAccess::execute:
        return UserAccess::execute;
    }
    return UserAccess::read;
}
} // namespace

UserContext::UserContext(Private, Box<State> state) : state_(move(state)) {}
UserContext::~UserContext() = default;

Result<Box<UserContext>> UserContext::create(uptr pc, uptr sp) {
    Box<State> state = TRY(make_box<State>());
    arch::init_user_registers(state->regs, pc, sp);
    return make_box<UserContext>(Private{}, move(state));
}

Result<Box<UserContext>> UserContext::clone() const {
    Box<State> state = TRY(make_box<State>());
    state->regs = state_->regs;
    return make_box<UserContext>(Private{}, move(state));
}

UserExitInfo UserContext::run(VmSpace& space) {
    sched::current().user_space = &space;
    if (!space.is_active()) {
        space.activate();
    }
    arch::UserTrapInfo trap = arch::enter_user(state_->regs);
    if (trap.trap == arch::UserTrap::interrupt) {
        // The interrupt was handled in enter_user; what its return path would have done for
        // kernel code (a preemption the tick asked for) happens here.
        u64 saved = arch::save_and_disable_interrupts();
        sched::interrupt_exit();
        arch::restore_interrupts(saved);
    }
    return UserExitInfo{exit_of(trap.trap), trap.address, access_of(trap.access), trap.present,
                        trap.cause};
}

namespace {
const arch::UserRegisterWords& words = arch::user_register_words;
} // namespace

u64 UserContext::syscall_number() const { return state_->regs.gp[words.syscall_number]; }
u64 UserContext::syscall_arg(usize index) const {
    return index < 6 ? state_->regs.gp[words.syscall_args[index]] : 0;
}
void UserContext::set_syscall_return(u64 value) { state_->regs.gp[words.syscall_return] = value; }
uptr UserContext::instruction_pointer() const { return state_->regs.gp[words.pc]; }
void UserContext::set_instruction_pointer(uptr pc) { state_->regs.gp[words.pc] = pc; }
uptr UserContext::stack_pointer() const { return state_->regs.gp[words.sp]; }
void UserContext::set_stack_pointer(uptr sp) { state_->regs.gp[words.sp] = sp; }
uptr UserContext::tls() const { return state_->regs.gp[words.tls]; }
void UserContext::set_tls(uptr tls) { state_->regs.gp[words.tls] = tls; }

Optional<uptr> UserContext::gs_base() const {
    if (words.gs_base == arch::UserRegisterWords::no_word) {
        return none;
    }
    return state_->regs.gp[words.gs_base];
}
bool UserContext::set_gs_base(uptr base) {
    if (words.gs_base == arch::UserRegisterWords::no_word) {
        return false;
    }
    state_->regs.gp[words.gs_base] = base;
    return true;
}

u64 UserContext::hwcap() { return arch::user_hwcap(); }

} // namespace keel
