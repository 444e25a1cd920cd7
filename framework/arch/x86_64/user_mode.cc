// The user-mode concern of the arch contract (arch/user_mode.h) on x86_64.
//
// Registers: UserRegisters::gp holds rax..r15, rip, rsp, rflags, FS base, GS base at the
// offsets of user_layout.h; fp holds an FXSAVE64 image (x87 + SSE, xmm0-15). The kernel runs
// without SSE/x87, so the user's FP state is restored right before entering user mode and saved
// right after any trap back, with no lazy switching.
//
// Entry and exit: user_entry.S. enter_user masks interrupts, records the per-CPU pointers the
// trap side needs, loads FS base, the user's GS base (into KERNEL_GS_BASE, which SWAPGS then
// exchanges with the kernel's) and the FP image, and calls keel_x86_enter_user, which IRETQs.
// A trap from user mode comes back through keel_x86_user_trap below on the same task stack,
// right under enter_user's frame (TSS rsp0 and the per-CPU kernel rsp), and returns from it.
// Syscalls use SYSCALL (STAR/LSTAR/FMASK, EFER.SCE, on every CPU); the return is always IRETQ.
//
// User copies: user_copy.S, under user_access_begin/end (SMAP); a kernel #PF or #GP at one of
// their user accesses resumes at its fixup (keel_x86_user_fixups, looked up from traps.cc).
#include <arch/user_mode.h>

#include <keel/ktl/array.h>

#include <arch/cpu.h>
#include <arch/memory.h>
#include <arch/paging.h>

#include "address.h"
#include "mm/cpu_local.h"
#include "user_layout.h"
#include "x86.h"

#include <string.h>

extern "C" void keel_x86_enter_user(keel::arch::UserRegisters* regs, keel::uptr tss_rsp0);
extern "C" void keel_x86_syscall_entry();
extern "C" keel::u64 keel_x86_copy_user(void* to, const void* from, keel::usize size);
extern "C" keel::isize keel_x86_copy_user_string(keel::u8* to, const keel::u8* from,
                                                 keel::usize size);
extern "C" const keel::u64 keel_x86_user_fixups[];
extern "C" const keel::u64 keel_x86_user_fixups_end[];

extern "C" const keel::u8 keel_x86_probe_syscall_echo[];
extern "C" const keel::u8 keel_x86_probe_load_from_input[];
extern "C" const keel::u8 keel_x86_probe_store_to_input[];
extern "C" const keel::u8 keel_x86_probe_jump_to_input[];
extern "C" const keel::u8 keel_x86_probe_illegal_instruction[];
extern "C" const keel::u8 keel_x86_probe_breakpoint[];
extern "C" const keel::u8 keel_x86_probe_spin[];
extern "C" const keel::u8 keel_x86_probe_fp_registers[];
extern "C" const keel::u8 keel_x86_probe_end[];

namespace keel::x86 {

namespace {

// Word indices into UserRegisters::gp (user_layout.h has them as byte offsets).
enum Gp : usize {
    rax = USER_RAX / 8,
    rbx = USER_RBX / 8,
    rcx = USER_RCX / 8,
    rdx = USER_RDX / 8,
    rsi = USER_RSI / 8,
    rdi = USER_RDI / 8,
    rbp = USER_RBP / 8,
    r8 = USER_R8 / 8,
    r9 = USER_R9 / 8,
    r10 = USER_R10 / 8,
    r11 = USER_R11 / 8,
    r12 = USER_R12 / 8,
    r13 = USER_R13 / 8,
    r14 = USER_R14 / 8,
    r15 = USER_R15 / 8,
    rip = USER_RIP / 8,
    rsp = USER_RSP / 8,
    rflags = USER_RFLAGS / 8,
    fs_base = USER_FS_BASE / 8,
    gs_base = USER_GS_BASE / 8,
};
static_assert(USER_GS_BASE / 8 < 48);
static_assert(__builtin_offsetof(arch::UserRegisters, fp) % 16 == 0); // FXSAVE's alignment
static_assert(user_code_selector == USER_CODE_SELECTOR);
static_assert(user_data_selector == USER_DATA_SELECTOR);

constexpr u32 msr_star = 0xc0000081;
constexpr u32 msr_lstar = 0xc0000082;
constexpr u32 msr_fmask = 0xc0000084;
constexpr u32 msr_fs_base = 0xc0000100;
constexpr u32 msr_kernel_gs_base = 0xc0000102;
constexpr u64 efer_sce = u64{1} << 0;

constexpr u64 cr0_mp = u64{1} << 1;
constexpr u64 cr0_em = u64{1} << 2;
constexpr u64 cr0_ts = u64{1} << 3;
constexpr u64 cr0_ne = u64{1} << 5;
constexpr u64 cr4_osfxsr = u64{1} << 9;
constexpr u64 cr4_osxmmexcpt = u64{1} << 10;
constexpr u64 cr4_fsgsbase = u64{1} << 16;
constexpr u64 cr4_osxsave = u64{1} << 18;
constexpr u64 xcr0_x87_sse = 0x3;

// RFLAGS: what user code may hold (CF PF AF ZF SF TF DF OF AC ID), and what it always has.
constexpr u64 rflags_user_mask = 0x0024'0dd5;
constexpr u64 rflags_if = u64{1} << 9;
constexpr u64 rflags_reserved_one = u64{1} << 1;
// SYSCALL clears these: interrupts stay masked until enter_user's caller restores them, and
// the kernel runs with TF, DF, NT, AC, IOPL clear.
constexpr u64 fmask = 0x0004'7700;

// FXSAVE image: FCW at 0, MXCSR at 24.
constexpr usize fx_fcw = 0;
constexpr usize fx_mxcsr = 24;
constexpr u16 fcw_reset = 0x37f;
constexpr u32 mxcsr_reset = 0x1f80;

constexpr u64 vector_breakpoint = 3;
constexpr u64 vector_invalid_opcode = 6;
constexpr u64 vector_page_fault = 14;
constexpr u64 vector_x87 = 16;
constexpr u64 vector_alignment = 17;
constexpr u64 vector_simd = 19;
constexpr u64 first_interrupt = 0x20;
constexpr u64 pf_protection = 1 << 0;
constexpr u64 pf_write = 1 << 1;
constexpr u64 pf_fetch = 1 << 4;

// The user half: rip, FS and GS bases must be canonical before they are loaded.
constexpr uptr user_limit = uptr{1} << 47;

// Per CPU, between enter_user and the trap that ends it (interrupts masked all along).
struct UserCpu {
    arch::UserRegisters* regs = nullptr;
    arch::UserTrapInfo* info = nullptr;
};
constinit Array<UserCpu, max_cpus> user_cpus{};

bool canonical(u64 address) { return address < user_limit || address >= ~(user_limit - 1); }

} // namespace

void enable_user_mode_cpu() {
    u64 cr0 = read_cr0();
    cr0 = (cr0 | cr0_mp | cr0_ne) & ~(cr0_em | cr0_ts);
    // SAFETY: x87/SSE on, with native error reporting; the kernel itself uses neither.
    asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
    u64 cr4 = read_cr4() | cr4_osfxsr | cr4_osxmmexcpt;
    cr4 |= features().fsgsbase ? cr4_fsgsbase : 0;
    cr4 |= features().xsave ? cr4_osxsave : 0;
    write_cr4(cr4);
    if (features().xsave) {
        // SAFETY: XCR0 = x87|SSE, exactly what FXSAVE covers: no state that is not switched.
        asm volatile("xsetbv" : : "c"(0), "a"(u32{xcr0_x87_sse}), "d"(0) : "memory");
    }
    wrmsr(msr_efer, rdmsr(msr_efer) | efer_sce);
    // SYSCALL: CS = 0x08, SS = 0x10; SYSRET's base 0x10 (SS 0x1b, CS 0x23), unused so far.
    wrmsr(msr_star, (u64{kernel_data_selector} << 48) | (u64{kernel_code_selector} << 32));
    wrmsr(msr_lstar, address_of(&keel_x86_syscall_entry));
    wrmsr(msr_fmask, fmask);
}

uptr user_copy_fixup(uptr rip) {
    for (const u64* entry = keel_x86_user_fixups; entry < keel_x86_user_fixups_end; entry += 2) {
        if (entry[0] == rip) {
            return entry[1];
        }
    }
    return 0;
}

} // namespace keel::x86

// A trap from user mode (user_entry.S), on the task's stack under enter_user's frame, GS the
// kernel's again, interrupts masked. Saves the user state into the registers enter_user ran
// and decodes the trap; an interrupt is handled here, its preemption left to the caller.
extern "C" void keel_x86_user_trap(const keel::x86::TrapFrame* frame) {
    using namespace keel;
    using namespace keel::x86;
    uptr cr2 = read_cr2(); // first: nothing before this may fault and overwrite it
    if (features().smap) {
        // SAFETY: an interrupt gate keeps the user's RFLAGS.AC; the kernel runs with SMAP on.
        asm volatile("clac" : : : "memory");
    }
    UserCpu& cpu = user_cpus[arch::cpu_index()];
    arch::UserRegisters& regs = *cpu.regs;
    arch::UserTrapInfo& info = *cpu.info;
    Array<u64, 48>& gp = regs.gp;
    gp[rax] = frame->rax;
    gp[rbx] = frame->rbx;
    gp[rcx] = frame->rcx;
    gp[rdx] = frame->rdx;
    gp[rsi] = frame->rsi;
    gp[rdi] = frame->rdi;
    gp[rbp] = frame->rbp;
    gp[r8] = frame->r8;
    gp[r9] = frame->r9;
    gp[r10] = frame->r10;
    gp[r11] = frame->r11;
    gp[r12] = frame->r12;
    gp[r13] = frame->r13;
    gp[r14] = frame->r14;
    gp[r15] = frame->r15;
    gp[rip] = frame->rip;
    gp[rsp] = frame->rsp;
    gp[rflags] = frame->rflags;
    gp[fs_base] = rdmsr(msr_fs_base);
    gp[gs_base] = rdmsr(msr_kernel_gs_base); // SWAPGS put the user's there
    // SAFETY: fp is 16-aligned inside the 64-aligned UserRegisters and 1024 >= 512 bytes.
    asm volatile("fxsave64 %0" : "=m"(*regs.fp.span().data()) : : "memory");

    u64 vector = frame->vector;
    info = arch::UserTrapInfo{};
    info.cause = (vector << 32) | (frame->error_code & 0xffff'ffff);
    if (vector == VECTOR_SYSCALL) {
        info.trap = arch::UserTrap::syscall;
        info.cause = 0;
    } else if (vector >= first_interrupt) {
        handle_interrupt(vector);
        info.trap = arch::UserTrap::interrupt;
    } else if (vector == vector_page_fault) {
        info.trap = arch::UserTrap::page_fault;
        info.address = cr2;
        info.present = (frame->error_code & pf_protection) != 0;
        if ((frame->error_code & pf_fetch) != 0) {
            info.access = arch::FaultAccess::execute;
        } else if ((frame->error_code & pf_write) != 0) {
            info.access = arch::FaultAccess::write;
        }
    } else if (vector == vector_invalid_opcode) {
        info.trap = arch::UserTrap::illegal_instruction;
    } else if (vector == vector_breakpoint) {
        info.trap = arch::UserTrap::breakpoint; // rip is after the INT3
    } else if (vector == vector_alignment) {
        info.trap = arch::UserTrap::alignment; // #AC gives no address
    } else if (vector == vector_x87 || vector == vector_simd) {
        info.trap = arch::UserTrap::fp_exception;
    } else {
        info.trap = arch::UserTrap::other_exception;
    }
}

namespace keel::arch {

using namespace x86;

void init_user_registers(UserRegisters& regs, uptr pc, uptr sp) {
    regs = UserRegisters{};
    regs.gp[rip] = pc;
    regs.gp[rsp] = sp;
    regs.gp[rflags] = rflags_if | rflags_reserved_one;
    u16 fcw = fcw_reset;
    u32 mxcsr = mxcsr_reset;
    memcpy(regs.fp.span().data() + fx_fcw, &fcw, sizeof(fcw));
    memcpy(regs.fp.span().data() + fx_mxcsr, &mxcsr, sizeof(mxcsr));
}

UserTrapInfo enter_user(UserRegisters& regs) {
    UserTrapInfo info;
    Array<u64, 48>& gp = regs.gp;
    if (!canonical(gp[rip]) || gp[rip] >= user_limit) {
        // IRETQ would fault in kernel mode on a non-canonical rip; report what user code
        // jumping there would have got.
        info.trap = UserTrap::page_fault;
        info.address = gp[rip];
        info.access = FaultAccess::execute;
        info.cause = vector_page_fault << 32;
        return info;
    }
    gp[rflags] = (gp[rflags] & rflags_user_mask) | rflags_if | rflags_reserved_one;
    gp[fs_base] = canonical(gp[fs_base]) ? gp[fs_base] : 0;
    gp[gs_base] = canonical(gp[gs_base]) ? gp[gs_base] : 0;
    // MXCSR's reserved bits would make FXRSTOR fault.
    u32 mxcsr = 0;
    memcpy(&mxcsr, regs.fp.span().data() + fx_mxcsr, sizeof(mxcsr));
    mxcsr &= 0xffff;
    memcpy(regs.fp.span().data() + fx_mxcsr, &mxcsr, sizeof(mxcsr));

    u64 saved = save_and_disable_interrupts();
    UserCpu& cpu = user_cpus[cpu_index()];
    cpu.regs = &regs;
    cpu.info = &info;
    wrmsr(msr_fs_base, gp[fs_base]);
    wrmsr(msr_kernel_gs_base, gp[gs_base]); // SWAPGS makes it the GS base
    // SAFETY: a 16-aligned 512-byte FXSAVE image (MXCSR sanitized above); x87/SSE state is the
    // user's alone, the kernel never uses it.
    asm volatile("fxrstor64 %0" : : "m"(*regs.fp.span().data()) : "memory");
    keel_x86_enter_user(&regs, tss_rsp0_address());
    cpu.regs = nullptr;
    cpu.info = nullptr;
    restore_interrupts(saved);
    return info;
}

const UserRegisterWords user_register_words{
    .syscall_number = rax,
    .syscall_args = {{rdi, rsi, rdx, r10, r8, r9}},
    .syscall_return = rax,
    .pc = rip,
    .sp = rsp,
    .tls = fs_base,
    .gs_base = gs_base,
};

bool copy_from_user(Span<u8> to, uptr from) {
    user_access_begin();
    // SAFETY: the caller checked that [from, from + size) lies in the user half (arch/
    // user_mode.h), SMAP's window is open for this copy only, and every user access of
    // keel_x86_copy_user has a fixup: a fault ends the copy with failure, never a crash.
    u64 failed = keel_x86_copy_user(to.data(), reinterpret_cast<const void*>(from), to.size());
    user_access_end();
    return failed == 0;
}

bool copy_to_user(uptr to, Span<const u8> from) {
    user_access_begin();
    // SAFETY: as in copy_from_user: a checked user range, SMAP open for this copy only, and a
    // fault is fixed up into failure.
    u64 failed = keel_x86_copy_user(reinterpret_cast<void*>(to), from.data(), from.size());
    user_access_end();
    return failed == 0;
}

isize copy_string_from_user(Span<u8> to, uptr from) {
    user_access_begin();
    // SAFETY: as in copy_from_user; the copy also stops at the NUL or after to.size() bytes.
    isize length =
        keel_x86_copy_user_string(to.data(), reinterpret_cast<const u8*>(from), to.size());
    user_access_end();
    return length;
}

Span<const u8> user_probe(UserProbe probe) {
    constexpr Array<const u8*, 9> bounds{keel_x86_probe_syscall_echo,
                                         keel_x86_probe_load_from_input,
                                         keel_x86_probe_store_to_input,
                                         keel_x86_probe_jump_to_input,
                                         keel_x86_probe_illegal_instruction,
                                         keel_x86_probe_breakpoint,
                                         keel_x86_probe_spin,
                                         keel_x86_probe_fp_registers,
                                         keel_x86_probe_end};
    usize i = static_cast<usize>(probe);
    if (i + 1 >= bounds.size()) {
        return {};
    }
    return Span<const u8>::from_raw(bounds[i], static_cast<usize>(bounds[i + 1] - bounds[i]));
}

// Linux's x86_64 AT_HWCAP is the CPUID leaf 1 EDX feature word.
u64 user_hwcap() { return x86::cpuid(1).edx; }

} // namespace keel::arch
