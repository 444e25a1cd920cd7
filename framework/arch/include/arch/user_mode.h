// The user-mode concern of the arch contract (framework/arch_contract.h): declared once here,
// defined by each framework/arch/<arch>/ folder. User code runs as a call: enter_user() loads a
// register file, drops to user mode in the active user address space, and returns when user
// code traps back (syscall, exception, or an interrupt), with the registers saved back and the
// trap decoded. The kernel never uses FP/SIMD registers (it is built without them), so the user's
// FP state only needs to be in the CPU while user code runs.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/span.h>

#include "arch_contract.h"

namespace keel::arch {

// Why user code stopped.
enum class UserTrap : u8 {
    syscall,             // x86 syscall, riscv ecall from U, aarch64 svc #0
    page_fault,          // address and access are set
    illegal_instruction, // x86 #UD, riscv illegal instruction, aarch64 unknown/undefined
    breakpoint,          // x86 int3, riscv ebreak, aarch64 brk
    alignment,           // a misaligned access the CPU refused (address set where known)
    fp_exception,        // x86 #MF/#XM; never on riscv; aarch64 trapped FP exception
    other_exception,     // anything else a user program can cause (cause says what)
    interrupt,           // a device or timer interrupt, already handled; nothing for the caller
};

enum class FaultAccess : u8 { read, write, execute };

struct UserTrapInfo {
    UserTrap trap = UserTrap::other_exception;
    uptr address = 0; // page_fault, alignment: the faulting address
    FaultAccess access = FaultAccess::read;
    bool present = false; // page_fault: the page was mapped (a permission fault)
    u64 cause = 0;        // the arch's raw cause for logs: x86 vector << 32 | error code,
                          // riscv scause, aarch64 ESR_EL1
};

// A user thread's register file. Each arch lays out `gp` (general registers, pc, sp, flags or
// status, the TLS register) and `fp` (x86 FXSAVE/XSAVE image, riscv f0-f31 + fcsr, aarch64
// v0-v31 + fpcr/fpsr). Plain data: copying it is how fork copies a thread.
struct alignas(64) UserRegisters {
    Array<u64, 48> gp{};
    Array<u8, 1024> fp{};
};

// A fresh user thread at pc with stack pointer sp: every other general register zero, the FP
// state as after reset (x86 FCW 0x37f, MXCSR 0x1f80), user mode with interrupts enabled.
void init_user_registers(UserRegisters& regs, uptr pc, uptr sp);

// Runs user code from regs until it traps to the kernel; regs then hold the user state at the
// trap (the pc after a syscall instruction, so that resuming continues after it; at the
// faulting instruction for exceptions). The user VmSpace must be active on this CPU. Called
// from a task with interrupts enabled; returns with them enabled. An interrupt taken in user
// mode is handled (irq::dispatch, the timer) before returning UserTrap::interrupt; the caller
// then lets the scheduler preempt.
UserTrapInfo enter_user(UserRegisters& regs);

// Where this arch's UserRegisters::gp keeps the registers the portable accessors name (word
// indexes): the Linux syscall convention (x86 rax/rdi,rsi,rdx,r10,r8,r9 -> rax; riscv
// a7/a0-a5 -> a0; aarch64 x8/x0-x5 -> x0), pc, sp, the TLS register (x86 FS base, riscv tp,
// aarch64 TPIDR_EL0) and x86_64's second segment base (GS, for arch_prctl; no_word elsewhere).
// Data, so that one generic accessor serves every arch (framework/user/user_mode.cc).
struct UserRegisterWords {
    static constexpr usize no_word = ~usize{0};
    usize syscall_number;
    Array<usize, 6> syscall_args;
    usize syscall_return;
    usize pc;
    usize sp;
    usize tls;
    usize gs_base = no_word;
};
extern const UserRegisterWords user_register_words;

// AT_HWCAP as Linux reports it on this arch: x86 CPUID.1:EDX, riscv one bit per single-letter
// extension of "imafdcv" the boot hart has, aarch64 HWCAP_FP | HWCAP_ASIMD (the FP/SIMD state
// user threads get saved; nothing that needs EL0 register emulation such as HWCAP_CPUID).
u64 user_hwcap();

// Copies between kernel memory and user addresses. The caller has checked that the user range
// lies within [page_size, user_end); the arch opens the user-access window (SMAP/SUM/PAN) for
// the copy only, and a fault on the way (unmapped, no permission) is caught by its fixup: the
// copy stops and the call returns false. Never a kernel crash.
bool copy_from_user(Span<u8> to, uptr from);
bool copy_to_user(uptr to, Span<const u8> from);
// Copies bytes of a NUL-terminated user string into `to`, up to and including the NUL; returns
// the string's length (without the NUL), to.size() when no NUL came within it, or -1 on a fault.
isize copy_string_from_user(Span<u8> to, uptr from);

// Machine code for the framework's user-mode ktests (framework/user_ktests.cc), the same
// behaviour on every arch. Position independent; run at a page-aligned address, with sp at the
// top of a mapped stack page; "the input" is the u64 at [sp] at entry. Syscalls follow the Linux
// convention above; numbers are test numbers, not Linux ones.
enum class UserProbe : u8 {
    // syscall 100(11, 12, 13, 14, 15, 16); syscall 101(result of the first, its TLS register,
    // the input); then syscall 103() forever.
    syscall_echo,
    // loads the u64 at the address given as input; syscall 100(that value); syscall 103 forever.
    load_from_input,
    // stores 0x5a5a to the u64 at the address given as input; then as above.
    store_to_input,
    // jumps to the address given as input.
    jump_to_input,
    // an undefined instruction (x86 ud2, riscv unimp, aarch64 udf #0).
    illegal_instruction,
    // x86 int3, riscv ebreak, aarch64 brk #0.
    breakpoint,
    // loops forever without syscalls (only an interrupt takes it out).
    spin,
    // puts the input into the first and the last FP/SIMD register (x86 xmm0 and xmm15 low
    // halves, riscv f0 and f31, aarch64 d0 and d31) and input ^ ~0 into the second (xmm1, f1,
    // d1); syscall 100(); then syscall 101(first, second, last) read back from those registers;
    // then syscall 103 forever.
    fp_registers,
};
Span<const u8> user_probe(UserProbe probe);

} // namespace keel::arch
