// User mode on every arch, through the same probes (arch::user_probe): syscalls carry six
// arguments and a result, faults come back with their address and access, FP registers and the
// TLS register belong to each thread, an interrupt takes a spinning program out, and user copies
// turn every bad address into EFAULT.
#include <keel/frame.h>
#include <keel/ktest.h>
#include <keel/user_mode.h>
#include <keel/user_ptr.h>
#include <keel/vm_space.h>

#include <arch/user_mode.h>

#include "address.h"

namespace keel {
namespace {

constexpr uptr code_base = 0x40'0000;
constexpr uptr stack_page = 0x7fff'0000;
constexpr uptr unmapped = 0x1000'0000;
constexpr uptr input_at = stack_page + page_size - 16; // the probe's sp, where its input sits

struct Probe {
    Box<VmSpace> space;
    Box<UserContext> thread;
};

// A space with the probe's code at code_base (read+exec) and one stack page holding input.
Result<Probe> load(arch::UserProbe which, u64 input) {
    Span<const u8> code = arch::user_probe(which);
    if (code.empty() || code.size() > page_size) {
        return Errno::einval;
    }
    Box<VmSpace> space = TRY(VmSpace::create());
    Frame text = TRY(Frame::allocate());
    TRY(text.write(0, code));
    TRY(space->map(code_base, text, Perms::read_exec));
    Frame stack = TRY(Frame::allocate());
    TRY(stack.write_value<u64>(input_at - stack_page, input));
    TRY(space->map(stack_page, stack, Perms::read_write));
    Box<UserContext> thread = TRY(UserContext::create(code_base, input_at));
    return Probe{move(space), move(thread)};
}

// Runs until something other than an interrupt brings the thread back.
UserExitInfo run(Probe& p) {
    for (;;) {
        UserExitInfo exit = p.thread->run(*p.space);
        if (exit.exit != UserExit::interrupt) {
            return exit;
        }
    }
}

bool in_code(uptr pc) { return pc >= code_base && pc < code_base + page_size; }

KTEST(user_mode, syscalls_carry_six_arguments_a_result_and_the_tls_register) {
    Probe p = load(arch::UserProbe::syscall_echo, 0xfeed'f00d).release_value();
    p.thread->set_tls(0x7000'1000);
    UserExitInfo exit = run(p);
    KASSERT(exit.exit == UserExit::syscall);
    KEXPECT_EQ(p.thread->syscall_number(), u64{100});
    for (usize i = 0; i < 6; ++i) {
        KEXPECT_EQ(p.thread->syscall_arg(i), u64{11 + i});
    }
    KEXPECT_EQ(p.thread->syscall_arg(6), u64{0});
    KEXPECT(in_code(p.thread->instruction_pointer()));
    KEXPECT_EQ(p.thread->stack_pointer(), input_at);
    p.thread->set_syscall_return(0x1234'5678'9abc);
    exit = run(p);
    KASSERT(exit.exit == UserExit::syscall);
    KEXPECT_EQ(p.thread->syscall_number(), u64{101});
    KEXPECT_EQ(p.thread->syscall_arg(0), u64{0x1234'5678'9abc});
    KEXPECT_EQ(p.thread->syscall_arg(1), u64{0x7000'1000});
    KEXPECT_EQ(p.thread->syscall_arg(2), u64{0xfeed'f00d});
    KEXPECT_EQ(p.thread->tls(), uptr{0x7000'1000});
    exit = run(p);
    KEXPECT(exit.exit == UserExit::syscall && p.thread->syscall_number() == 103);
}

KTEST(user_mode, a_cloned_thread_resumes_where_its_parent_was) {
    Probe p = load(arch::UserProbe::syscall_echo, 7).release_value();
    KASSERT(run(p).exit == UserExit::syscall);
    Box<UserContext> child = p.thread->clone().release_value();
    p.thread->set_syscall_return(1);
    child->set_syscall_return(0); // what fork gives the child
    KASSERT(run(p).exit == UserExit::syscall);
    KEXPECT_EQ(p.thread->syscall_arg(0), u64{1});
    UserExitInfo exit = child->run(*p.space);
    while (exit.exit == UserExit::interrupt) {
        exit = child->run(*p.space);
    }
    KASSERT(exit.exit == UserExit::syscall);
    KEXPECT_EQ(child->syscall_number(), u64{101});
    KEXPECT_EQ(child->syscall_arg(0), u64{0});
    KEXPECT_EQ(child->syscall_arg(2), u64{7});
}

KTEST(user_mode, faults_report_address_access_and_presence) {
    Probe load_probe = load(arch::UserProbe::load_from_input, unmapped + 0x18).release_value();
    UserExitInfo exit = run(load_probe);
    KEXPECT(exit.exit == UserExit::page_fault);
    KEXPECT_EQ(exit.address, unmapped + 0x18);
    KEXPECT(exit.access == UserAccess::read);
    KEXPECT(!exit.present);
    KEXPECT(in_code(load_probe.thread->instruction_pointer()));

    Probe store_probe = load(arch::UserProbe::store_to_input, code_base + 8).release_value();
    exit = run(store_probe);
    KEXPECT(exit.exit == UserExit::page_fault);
    KEXPECT_EQ(exit.address, code_base + 8);
    KEXPECT(exit.access == UserAccess::write);
    KEXPECT(exit.present);

    Probe jump_probe = load(arch::UserProbe::jump_to_input, stack_page).release_value();
    exit = run(jump_probe);
    KEXPECT(exit.exit == UserExit::page_fault);
    KEXPECT_EQ(exit.address, stack_page);
    KEXPECT(exit.access == UserAccess::execute);
    KEXPECT(exit.present);

    // The kernel half is there but not for user mode.
    uptr kernel = address_of(&load_probe);
    Probe kernel_probe = load(arch::UserProbe::load_from_input, kernel).release_value();
    exit = run(kernel_probe);
    KEXPECT(exit.exit == UserExit::page_fault);
    KEXPECT_EQ(exit.address, kernel);
}

KTEST(user_mode, a_probe_that_stored_fine_goes_on) {
    Probe p = load(arch::UserProbe::store_to_input, input_at - 64).release_value();
    UserExitInfo exit = run(p);
    KASSERT(exit.exit == UserExit::syscall);
    KEXPECT_EQ(p.thread->syscall_number(), u64{100});
    KEXPECT_EQ(UserPtr<u64>(input_at - 64).read().value_or(0), u64{0x5a5a});
}

KTEST(user_mode, illegal_instructions_and_breakpoints_come_back_as_such) {
    Probe ill = load(arch::UserProbe::illegal_instruction, 0).release_value();
    UserExitInfo exit = run(ill);
    KEXPECT(exit.exit == UserExit::illegal_instruction);
    KEXPECT(in_code(ill.thread->instruction_pointer()));
    Probe brk = load(arch::UserProbe::breakpoint, 0).release_value();
    exit = run(brk);
    KEXPECT(exit.exit == UserExit::breakpoint);
    KEXPECT(in_code(brk.thread->instruction_pointer()));
}

KTEST(user_mode, an_interrupt_takes_a_spinning_program_out) {
    Probe p = load(arch::UserProbe::spin, 0).release_value();
    // The scheduler's tick arrives within a time slice: the program cannot keep the CPU.
    UserExitInfo exit = p.thread->run(*p.space);
    KEXPECT(exit.exit == UserExit::interrupt);
    KEXPECT(in_code(p.thread->instruction_pointer()));
}

KTEST(user_mode, fp_registers_belong_to_each_thread) {
    constexpr u64 a_value = 0x4009'21fb'5444'2d18; // pi
    constexpr u64 b_value = 0xc005'bf0a'8b14'5769; // -e
    Probe a = load(arch::UserProbe::fp_registers, a_value).release_value();
    Probe b = load(arch::UserProbe::fp_registers, b_value).release_value();
    KASSERT(run(a).exit == UserExit::syscall && a.thread->syscall_number() == 100);
    KASSERT(run(b).exit == UserExit::syscall && b.thread->syscall_number() == 100);
    KASSERT(run(a).exit == UserExit::syscall && a.thread->syscall_number() == 101);
    KEXPECT_EQ(a.thread->syscall_arg(0), a_value);
    KEXPECT_EQ(a.thread->syscall_arg(1), ~a_value);
    KEXPECT_EQ(a.thread->syscall_arg(2), a_value);
    KASSERT(run(b).exit == UserExit::syscall && b.thread->syscall_number() == 101);
    KEXPECT_EQ(b.thread->syscall_arg(0), b_value);
    KEXPECT_EQ(b.thread->syscall_arg(1), ~b_value);
    KEXPECT_EQ(b.thread->syscall_arg(2), b_value);
}

KTEST(user_copy, bad_addresses_are_efault_and_good_ones_copy) {
    Probe p = load(arch::UserProbe::spin, 0x1122'3344'5566'7788).release_value();
    p.space->activate();
    KEXPECT_EQ(UserPtr<u64>(input_at).read().value_or(0), u64{0x1122'3344'5566'7788});
    KASSERT(UserPtr<u32>(input_at - 8).write(0xabcd).ok());
    KEXPECT_EQ(UserPtr<u32>(input_at - 8).read().value_or(0), u32{0xabcd});

    KEXPECT_EQ(UserPtr<u64>(unmapped).read().error(), Errno::efault);
    KEXPECT_EQ(UserPtr<u64>(0).read().error(), Errno::efault);
    KEXPECT_EQ(UserPtr<u64>(address_of(&p)).read().error(), Errno::efault);
    KEXPECT_EQ(UserPtr<u64>(code_base).write(1).error(), Errno::efault); // read-only page
    // Straddling the end of the stack page into nothing.
    KEXPECT_EQ(UserPtr<u64>(stack_page + page_size - 4).read().error(), Errno::efault);
    KEXPECT_EQ(UserPtr<u64>(~uptr{0} - 3).read().error(), Errno::efault);
    KEXPECT_EQ(UserPtr<u64>(input_at).offset(~usize{0} / 4).error(), Errno::efault);

    Array<u8, 8> word{};
    KEXPECT_EQ(user_copy::from_user(word.span(), stack_page - page_size).error(), Errno::efault);
    KEXPECT_EQ(user_copy::to_user(unmapped, Span<const u8>(word.span())).error(), Errno::efault);
    p.space->deactivate();
}

KTEST(user_copy, strings_stop_at_nul_length_or_fault) {
    Probe p = load(arch::UserProbe::spin, 0).release_value();
    p.space->activate();
    Array<u8, 6> hello{'h', 'e', 'l', 'l', 'o', 0};
    uptr at = stack_page + 128;
    KASSERT(user_copy::to_user(at, Span<const u8>(hello.span())).ok());
    Array<u8, 32> out{};
    KEXPECT_EQ(user_copy::string_from_user(out.span(), at).value_or(99), usize{5});
    KEXPECT_EQ(out[0], u8{'h'});
    KEXPECT_EQ(out[5], u8{0});
    Array<u8, 4> small{};
    KEXPECT_EQ(user_copy::string_from_user(small.span(), at).error(), Errno::enametoolong);
    // A string running off the end of the mapping.
    Array<u8, 4> tail{'a', 'b', 'c', 'd'};
    uptr last = stack_page + page_size - 4;
    KASSERT(user_copy::to_user(last, Span<const u8>(tail.span())).ok());
    KEXPECT_EQ(user_copy::string_from_user(out.span(), last).error(), Errno::efault);
    KEXPECT_EQ(user_copy::string_from_user(out.span(), unmapped).error(), Errno::efault);
    KEXPECT_EQ(user_copy::string_from_user(out.span(), address_of(&p)).error(), Errno::efault);
    p.space->deactivate();
}

} // namespace
} // namespace keel
