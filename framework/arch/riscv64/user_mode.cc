// riscv64: the user-mode concern of the arch contract (arch/user_mode.h). user_entry.S enters
// U-mode with sret and takes every trap from U back to the kernel stack enter_user left (through
// this CPU's TrapCpu, sscratch); user_fp.S holds the FP state and the probes. Register file:
// user_layout.h (gp word 0 = pc, word n = xn; fp = f0-f31, fcsr). tp is the user's TLS register
// while user code runs and the CPU index in the kernel: the trap path puts the kernel's back.
#include <arch/cpu.h>
#include <arch/user_mode.h>

#include "irq_entry.h"
#include "isa.h"
#include "live_tables.h"
#include "trap.h"
#include "user_layout.h"

extern "C" void keel_riscv_enter_user(keel::arch::UserRegisters& regs,
                                      keel::arch::riscv::TrapCpu& cpu);
extern "C" void keel_riscv_fp_load(const keel::u8* fp);
extern "C" void keel_riscv_fp_save(keel::u8* fp);
extern "C" keel::isize keel_riscv_copy_user(void* to, const void* from, keel::usize size);
extern "C" keel::isize keel_riscv_copy_user_string(void* to, const void* from, keel::usize room);

#define KEEL_RISCV_PROBE(name)                                                                     \
    extern "C" const keel::u8 keel_riscv_probe_##name[];                                           \
    extern "C" const keel::u8 keel_riscv_probe_##name##_end[];
KEEL_RISCV_PROBE(syscall_echo)
KEEL_RISCV_PROBE(load_from_input)
KEEL_RISCV_PROBE(store_to_input)
KEEL_RISCV_PROBE(jump_to_input)
KEEL_RISCV_PROBE(illegal_instruction)
KEEL_RISCV_PROBE(breakpoint)
KEEL_RISCV_PROBE(spin)
KEEL_RISCV_PROBE(fp_registers)
#undef KEEL_RISCV_PROBE

namespace keel::arch {

namespace {

constexpr usize word = sizeof(u64);
constexpr usize pc_word = USER_PC / word;
constexpr usize scause_word = USER_SCAUSE / word;
constexpr usize stval_word = USER_STVAL / word;
constexpr usize sp = 2, tp = 4, a0 = 10, a7 = 17;
constexpr u64 fcsr_offset = USER_FCSR;

static_assert(__builtin_offsetof(UserRegisters, gp) == 0); // user_entry.S gets &regs
static_assert(USER_SSTATUS / word < scause_word && stval_word < 48 && fcsr_offset + word <= 1024);

constexpr u64 scause_interrupt = u64{1} << 63;

// Exception codes (privileged spec, scause).
enum : u64 {
    instruction_misaligned = 0,
    instruction_access_fault = 1,
    illegal_instruction = 2,
    breakpoint = 3,
    load_misaligned = 4,
    load_access_fault = 5,
    store_misaligned = 6,
    store_access_fault = 7,
    ecall_from_u = 8,
    instruction_page_fault = 12,
    load_page_fault = 13,
    store_page_fault = 15,
};

UserTrapInfo page_fault(u64 address, FaultAccess access) {
    UserTrapInfo info;
    info.trap = UserTrap::page_fault;
    info.address = address;
    info.access = access;
    // RISC-V does not say why: a valid leaf under the address means the access was refused.
    info.present = riscv::query_active(address).has_value();
    return info;
}

// The trap user_entry.S left in regs, decoded; an interrupt is handled here (interrupts masked).
UserTrapInfo decode(UserRegisters& regs) {
    u64 cause = regs.gp[scause_word];
    u64 stval = regs.gp[stval_word];
    UserTrapInfo info;
    if ((cause & scause_interrupt) != 0) {
        riscv::handle_interrupt(cause & ~scause_interrupt);
        info.trap = UserTrap::interrupt;
        info.cause = cause;
        return info;
    }
    switch (cause) {
    case ecall_from_u:
        regs.gp[pc_word] += 4; // resume after the ecall
        info.trap = UserTrap::syscall;
        break;
    case instruction_page_fault:
    case instruction_access_fault:
        info = page_fault(stval, FaultAccess::execute);
        break;
    case load_page_fault:
    case load_access_fault:
        info = page_fault(stval, FaultAccess::read);
        break;
    case store_page_fault:
    case store_access_fault:
        info = page_fault(stval, FaultAccess::write);
        break;
    case illegal_instruction:
        info.trap = UserTrap::illegal_instruction;
        break;
    case breakpoint:
        info.trap = UserTrap::breakpoint;
        break;
    case instruction_misaligned:
    case load_misaligned:
    case store_misaligned:
        info.trap = UserTrap::alignment;
        info.address = stval;
        break;
    default:
        info.trap = UserTrap::other_exception;
        break;
    }
    info.cause = cause;
    return info;
}

} // namespace

void init_user_registers(UserRegisters& regs, uptr pc, uptr sp_value) {
    regs = UserRegisters{}; // every register zero, fcsr 0 (round to nearest, no flags)
    regs.gp[pc_word] = pc;
    regs.gp[sp] = sp_value;
}

UserTrapInfo enter_user(UserRegisters& regs) {
    u64 saved = save_and_disable_interrupts();
    keel_riscv_fp_load(regs.fp.span().data());
    keel_riscv_enter_user(regs, riscv::this_trap_cpu());
    keel_riscv_fp_save(regs.fp.span().data());
    UserTrapInfo info = decode(regs);
    restore_interrupts(saved);
    return info;
}

const UserRegisterWords user_register_words{
    .syscall_number = a7,
    .syscall_args = {{a0, a0 + 1, a0 + 2, a0 + 3, a0 + 4, a0 + 5}},
    .syscall_return = a0,
    .pc = pc_word,
    .sp = sp,
    .tls = tp,
};

bool copy_from_user(Span<u8> to, uptr from) {
    // SAFETY: the caller checked [from, from + size) is in the user half; a fault is fixed up.
    return to.empty() ||
           keel_riscv_copy_user(to.data(), reinterpret_cast<const void*>(from), to.size()) == 0;
}

bool copy_to_user(uptr to, Span<const u8> from) {
    // SAFETY: as above.
    return from.empty() ||
           keel_riscv_copy_user(reinterpret_cast<void*>(to), from.data(), from.size()) == 0;
}

isize copy_string_from_user(Span<u8> to, uptr from) {
    if (to.empty()) {
        return 0;
    }
    // SAFETY: as above; the copy stops at the NUL, at to.size(), or at a fault.
    return keel_riscv_copy_user_string(to.data(), reinterpret_cast<const void*>(from), to.size());
}

Span<const u8> user_probe(UserProbe probe) {
    const u8* start = nullptr;
    const u8* end = nullptr;
    switch (probe) {
#define KEEL_RISCV_CASE(name)                                                                      \
    case UserProbe::name:                                                                          \
        start = keel_riscv_probe_##name;                                                           \
        end = keel_riscv_probe_##name##_end;                                                       \
        break;
        KEEL_RISCV_CASE(syscall_echo)
        KEEL_RISCV_CASE(load_from_input)
        KEEL_RISCV_CASE(store_to_input)
        KEEL_RISCV_CASE(jump_to_input)
        KEEL_RISCV_CASE(illegal_instruction)
        KEEL_RISCV_CASE(breakpoint)
        KEEL_RISCV_CASE(spin)
        KEEL_RISCV_CASE(fp_registers)
#undef KEEL_RISCV_CASE
    }
    if (start == nullptr) {
        return {};
    }
    return Span<const u8>::from_raw(start, static_cast<usize>(end - start));
}

u64 user_hwcap() { return riscv::boot_hart_letter_bits(); }

} // namespace keel::arch
