// aarch64: the user-mode concern of the arch contract (arch/user_mode.h). user_entry.S drops to
// EL0 and brings the registers back; this file decodes why (ESR_EL1, FAR_EL1), handles an IRQ
// taken at EL0 as the kernel's IRQ entry would (without the preemption, which the caller does),
// and wraps the user copies (user_copy.S) in the PAN window.
//
// UserRegisters::gp: x0-x30 in words 0-30, then sp (SP_EL0), pc (ELR_EL1), PSTATE (SPSR_EL1; only
// NZCV is taken back to EL0) and TPIDR_EL0. UserRegisters::fp: q0-q31 (bytes 0-511), FPCR (512),
// FPSR (520).
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/user_mode.h>

#include "address.h"
#include "arch/aarch64/aarch64.h"
#include "arch/aarch64/sysreg.h"

extern "C" {
// user_entry.S: runs the user registers at EL0 until an exception; returns its kind (0
// synchronous, 1 IRQ, 2 FIQ, 3 SError) with IRQs still masked. Called with IRQs masked.
keel::u64 keel_arch_enter_user(keel::arch::UserRegisters* regs);
// user_copy.S: 0 (the string copy: the length, or n when no NUL came), or -1 on a fault.
keel::i64 keel_copy_from_user(keel::u8* to, keel::uptr from, keel::usize n);
keel::i64 keel_copy_to_user(keel::uptr to, const keel::u8* from, keel::usize n);
keel::i64 keel_copy_string_from_user(keel::u8* to, keel::uptr from, keel::usize n);
extern const char keel_user_copy_start[];
extern const char keel_user_copy_end[];
extern const char keel_user_copy_fault[];
// user_probes.S
#define KEEL_PROBE(name) extern const keel::u8 keel_probe_##name[], keel_probe_##name##_end[];
KEEL_PROBE(syscall_echo)
KEEL_PROBE(load_from_input)
KEEL_PROBE(store_to_input)
KEEL_PROBE(jump_to_input)
KEEL_PROBE(illegal_instruction)
KEEL_PROBE(breakpoint)
KEEL_PROBE(spin)
KEEL_PROBE(fp_registers)
#undef KEEL_PROBE
}

namespace keel::arch {

namespace {
constexpr usize word_sp = 31;
constexpr usize word_pc = 32;
constexpr usize word_pstate = 33;
constexpr usize word_tpidr = 34;
constexpr usize word_syscall_number = 8; // x8

// ESR_EL1 exception classes of exceptions from EL0 (Arm ARM D17.2.40).
constexpr u64 ec_unknown = 0x00;
constexpr u64 ec_illegal_state = 0x0e;
constexpr u64 ec_svc64 = 0x15;
constexpr u64 ec_instruction_abort_lower = 0x20;
constexpr u64 ec_pc_alignment = 0x22;
constexpr u64 ec_data_abort_lower = 0x24;
constexpr u64 ec_data_abort_same = 0x25;
constexpr u64 ec_sp_alignment = 0x26;
constexpr u64 ec_fp_exception64 = 0x2c;
constexpr u64 ec_brk64 = 0x3c;

constexpr u64 iss_write = u64{1} << 6;             // WnR
constexpr u64 iss_cache_maintenance = u64{1} << 8; // CM
constexpr u64 iss_far_not_valid = u64{1} << 10;    // FnV

// DFSC/IFSC (ESR bits 5:0): 0b0000LL address size, 0b0001LL translation, 0b0010LL access flag,
// 0b0011LL permission; 0b100001 alignment.
constexpr u64 fsc_translation = 1;
constexpr u64 fsc_alignment = 0x21;

u64 exception_class(u64 esr) { return (esr >> 26) & 0x3f; }

UserTrapInfo decode_synchronous(u64 esr, u64 far) {
    UserTrapInfo info;
    info.cause = esr;
    u64 ec = exception_class(esr);
    u64 fsc = esr & 0x3f;
    switch (ec) {
    case ec_svc64:
        info.trap = UserTrap::syscall;
        break;
    case ec_unknown:
    case ec_illegal_state:
        info.trap = UserTrap::illegal_instruction;
        break;
    case ec_brk64:
        info.trap = UserTrap::breakpoint;
        break;
    case ec_pc_alignment:
        info.trap = UserTrap::alignment;
        info.address = far;
        break;
    case ec_sp_alignment:
        info.trap = UserTrap::alignment;
        break;
    case ec_fp_exception64:
        info.trap = UserTrap::fp_exception;
        break;
    case ec_instruction_abort_lower:
    case ec_data_abort_lower:
        if (fsc == fsc_alignment) {
            info.trap = UserTrap::alignment;
            info.address = (esr & iss_far_not_valid) == 0 ? far : 0;
        } else if (fsc < 0x10) {
            info.trap = UserTrap::page_fault;
            info.address = far;
            info.present = (fsc >> 2) != fsc_translation;
            if (ec == ec_instruction_abort_lower) {
                info.access = FaultAccess::execute;
            } else {
                bool write = (esr & (iss_write | iss_cache_maintenance)) == iss_write;
                info.access = write ? FaultAccess::write : FaultAccess::read;
            }
        } else {
            info.trap = UserTrap::other_exception; // external abort, TLB conflict, ...
            info.address = far;
        }
        break;
    default:
        info.trap = UserTrap::other_exception;
        break;
    }
    return info;
}
} // namespace

void init_user_registers(UserRegisters& regs, uptr pc, uptr sp) {
    regs = UserRegisters{};
    regs.gp[word_pc] = pc;
    regs.gp[word_sp] = sp;
    regs.gp[word_pstate] = 0; // EL0t, DAIF clear, flags clear; FPCR/FPSR 0 as after reset
}

UserTrapInfo enter_user(UserRegisters& regs) {
    u64 saved = save_and_disable_interrupts();
    u64 kind = keel_arch_enter_user(&regs);
    UserTrapInfo info;
    switch (kind) {
    case 0: {
        // SAFETY: reading the syndrome and fault address of the exception just taken; IRQs are
        // masked, so no other exception has replaced them.
        u64 esr = KEEL_READ_SYSREG(esr_el1);
        u64 far = KEEL_READ_SYSREG(far_el1);
        info = decode_synchronous(esr, far);
        break;
    }
    case 1:
        handle_pending_interrupts();
        info.trap = UserTrap::interrupt;
        break;
    case 2:
        info.trap = UserTrap::interrupt; // FIQs are not used; nothing to acknowledge
        break;
    default:
        // SAFETY: as above.
        info.cause = KEEL_READ_SYSREG(esr_el1);
        info.trap = UserTrap::other_exception; // an SError (asynchronous abort)
        break;
    }
    restore_interrupts(saved);
    return info;
}

const UserRegisterWords user_register_words{
    .syscall_number = word_syscall_number,
    .syscall_args = {{0, 1, 2, 3, 4, 5}},
    .syscall_return = 0,
    .pc = word_pc,
    .sp = word_sp,
    .tls = word_tpidr,
};

bool copy_from_user(Span<u8> to, uptr from) {
    user_access_begin();
    i64 result = keel_copy_from_user(to.data(), from, to.size());
    user_access_end();
    return result == 0;
}

bool copy_to_user(uptr to, Span<const u8> from) {
    user_access_begin();
    i64 result = keel_copy_to_user(to, from.data(), from.size());
    user_access_end();
    return result == 0;
}

isize copy_string_from_user(Span<u8> to, uptr from) {
    user_access_begin();
    i64 result = keel_copy_string_from_user(to.data(), from, to.size());
    user_access_end();
    return result;
}

Span<const u8> user_probe(UserProbe probe) {
    const u8* start = nullptr;
    const u8* end = nullptr;
    switch (probe) {
#define KEEL_PROBE_CASE(name)                                                                      \
    case UserProbe::name:                                                                          \
        start = keel_probe_##name;                                                                 \
        end = keel_probe_##name##_end;                                                             \
        break;
        KEEL_PROBE_CASE(syscall_echo)
        KEEL_PROBE_CASE(load_from_input)
        KEEL_PROBE_CASE(store_to_input)
        KEEL_PROBE_CASE(jump_to_input)
        KEEL_PROBE_CASE(illegal_instruction)
        KEEL_PROBE_CASE(breakpoint)
        KEEL_PROBE_CASE(spin)
        KEEL_PROBE_CASE(fp_registers)
#undef KEEL_PROBE_CASE
    }
    if (start == nullptr) {
        return {};
    }
    return Span<const u8>::from_raw(start, static_cast<usize>(end - start));
}

// Linux's HWCAP_FP (bit 0) and HWCAP_ASIMD (bit 1): every user thread's V registers, FPCR and
// FPSR are saved and restored.
u64 user_hwcap() { return 0b11; }

} // namespace keel::arch

// vectors.S: a synchronous exception taken by the kernel, before the fatal report. A data
// abort at a user address (TTBR0) inside a user copy resumes at the copy's fixup (returned);
// anything else returns 0, a fault on the kernel side of a copy included (a kernel bug, so it
// is reported).
extern "C" keel::u64 keel_arch_fault_fixup(keel::u64 vector, const keel::arch::TrapFrame* frame) {
    using namespace keel;
    uptr pc = frame->elr;
    bool user_address =
        (frame->esr & arch::iss_far_not_valid) == 0 && frame->far < arch::kernel_layout().user_end;
    if (vector == 4 && arch::exception_class(frame->esr) == arch::ec_data_abort_same &&
        user_address && pc >= address_of(keel_user_copy_start) &&
        pc < address_of(keel_user_copy_end)) {
        return address_of(keel_user_copy_fault);
    }
    return 0;
}
