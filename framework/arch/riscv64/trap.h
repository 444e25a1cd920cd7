// riscv64: kernel trap handling (trap_entry.S, trap.cc). Private to framework/arch/riscv64.
//
// Stack overflow: trap_entry.S stays on the interrupted kernel stack (later, a fault handler may
// block there) unless the frame it is about to store would go below that stack's limit, or a
// previous entry faulted while storing its frame: then it switches to this CPU's emergency stack
// before storing anything. sscratch points at the CPU's TrapCpu at all times in the kernel, so
// the entry has somewhere safe to put its first registers.
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/types.h>

#include "arch_contract.h"
#include "trap_layout.h"

namespace keel::arch::riscv {

struct TrapCpu {
    u64 saved_t0;
    u64 saved_t1;
    u64 saved_sp;
    u64 saved_limit;
    uptr stack_limit;      // lowest address the running kernel stack may use (its guard's end)
    uptr emergency_top;    // this CPU's emergency stack
    u64 in_entry;          // trap_entry.S is storing a frame
    u64 emergency_entries; // traps taken on the emergency stack, for the ktests
    u64 user_regs;         // user_entry.S: where a trap from U saves the user registers
    u64 kernel_sp;         // user_entry.S: enter_user's frame, where a trap from U returns
    u64 padding[6];        // to TRAP_CPU_SIZE (two cache lines)
};
static_assert(__builtin_offsetof(TrapCpu, saved_t0) == TRAP_CPU_SAVED_T0);
static_assert(__builtin_offsetof(TrapCpu, saved_t1) == TRAP_CPU_SAVED_T1);
static_assert(__builtin_offsetof(TrapCpu, saved_sp) == TRAP_CPU_SAVED_SP);
static_assert(__builtin_offsetof(TrapCpu, saved_limit) == TRAP_CPU_SAVED_LIMIT);
static_assert(__builtin_offsetof(TrapCpu, stack_limit) == TRAP_CPU_STACK_LIMIT);
static_assert(__builtin_offsetof(TrapCpu, emergency_top) == TRAP_CPU_EMERGENCY_TOP);
static_assert(__builtin_offsetof(TrapCpu, in_entry) == TRAP_CPU_IN_ENTRY);
static_assert(__builtin_offsetof(TrapCpu, emergency_entries) == TRAP_CPU_EMERGENCY_ENTRIES);
static_assert(__builtin_offsetof(TrapCpu, user_regs) == TRAP_CPU_USER_REGS);
static_assert(__builtin_offsetof(TrapCpu, kernel_sp) == TRAP_CPU_KERNEL_SP);
static_assert(sizeof(TrapCpu) == TRAP_CPU_SIZE);

struct TrapFrame {
    u64 x[32]; // x[n] is register xn as interrupted; x[0] unused
    u64 sepc;
    u64 sstatus;
    u64 scause;
    u64 stval;
    u64 stack_limit; // TrapCpu::stack_limit to put back when the trap returns
    u64 record[2];
    u64 padding; // to TRAP_FRAME_SIZE

    static constexpr usize ra = 1, sp = 2, s0 = 8, a0 = 10;
};
static_assert(__builtin_offsetof(TrapFrame, sepc) == TRAP_FRAME_SEPC);
static_assert(__builtin_offsetof(TrapFrame, sstatus) == TRAP_FRAME_SSTATUS);
static_assert(__builtin_offsetof(TrapFrame, scause) == TRAP_FRAME_SCAUSE);
static_assert(__builtin_offsetof(TrapFrame, stval) == TRAP_FRAME_STVAL);
static_assert(__builtin_offsetof(TrapFrame, stack_limit) == TRAP_FRAME_STACK_LIMIT);
static_assert(__builtin_offsetof(TrapFrame, record) == TRAP_FRAME_RECORD);
static_assert(sizeof(TrapFrame) == TRAP_FRAME_SIZE);

// The boot CPU's block (trap_entry.S); entry.S points sscratch at it before the first trap.
extern "C" TrapCpu keel_riscv_boot_trap_cpu;

// The running CPU's block (sscratch).
TrapCpu& this_trap_cpu();

// CPU cpu's block (smp.cc: the boot CPU's above, the others' as they are started), and its hart
// id (~0 for an index not handed out).
TrapCpu& trap_cpu_of(u32 cpu);
u64 hart_of_cpu(u32 cpu);

// Sets the stack the running kernel code uses, so that a trap whose frame would not fit above
// stack.base goes to the emergency stack. arch::set_current_stack (task.cc) calls it with the
// next task's stack before each switch; the boot CPU starts with the boot stack. A trap puts back
// on return the limit it found, so an interrupt that switched tasks resumes with its own.
void set_kernel_stack(VirtRange stack);

// The running CPU's emergency stack's bounds (for the backtracer and the ktests).
VirtRange emergency_stack();

// Reads the u64 at va, or none if the access faults (trap.cc recovers through a fixup): a probe
// of what the hardware really maps. Kernel mode, any address.
Optional<u64> probe_read(uptr va);

} // namespace keel::arch::riscv
