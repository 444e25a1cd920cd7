// riscv64: the PLIC (RISC-V Platform-Level Interrupt Controller), found from the device tree
// ("sifive,plic-1.0.0" / "riscv,plic0"), as the framework's irq::Controller. Its line numbers
// are the PLIC's source ids (1..riscv,ndev). Private to framework/arch/riscv64.
//
// Each hart-and-privilege pair is one PLIC "context", with its own enable bits, priority
// threshold and claim/complete register; the PLIC node's interrupts-extended lists the contexts
// in order, naming each by its hart's local interrupt controller and cause (9 = S-mode
// external). Every source gets priority 1 and the context threshold 0, so enabling a line is
// setting its bit. Lines are routed to the boot hart's S-mode context only: the other harts'
// contexts have every source masked (quiet_hart), and they leave sie.SEIE clear.
#pragma once

#include <keel/io_mem.h>
#include <keel/ktl/optional.h>

#include "boot/devicetree.h"
#include "irq/controller.h"
#include <keel/spin_lock.h>

namespace keel::arch::riscv {

class Plic final : public irq::Controller {
public:
    constexpr Plic() = default;

    // Finds the PLIC and `hart`'s S-mode context, maps and claims its registers, masks every
    // source for that context. ENODEV without a PLIC or a context for the hart.
    Result<void> init(const boot::DeviceTree& dt, u64 hart);
    bool ready() const { return regs_.has_value(); }
    // Masks every source in `hart`'s S-mode context (a secondary hart, after init): device
    // interrupts stay with the boot hart. ENODEV without a PLIC or a context for the hart.
    Result<void> quiet_hart(const boot::DeviceTree& dt, u64 hart);

    StringView name() const override { return "PLIC"; }
    // A device-tree specifier of one cell, the source id (#interrupt-cells = <1>).
    Result<u32> translate(const IrqSource& source) override;
    u32 line_count() const override { return sources_ + 1; }
    void enable(u32 line) override;
    void disable(u32 line) override;

    // The S-mode external interrupt: claims each pending source, dispatches it, completes it.
    void handle_external();

    // For the boot log and the ktests.
    u64 phys() const { return phys_; }
    u32 sources() const { return sources_; }
    u32 context() const { return context_; }
    bool is_enabled(u32 line) const;
    bool is_pending(u32 line) const;

private:
    Result<void> set_enable_bit(u32 line, bool on);
    u32 read(usize offset) const;
    void write(usize offset, u32 value) const;
    usize enable_word(u32 line) const;
    usize threshold_offset() const;
    usize claim_offset() const;

    Optional<IoMem> regs_;
    SpinLock lock_;
    u64 phys_ = 0;
    u32 sources_ = 0;
    u32 context_ = 0;
    // The line between claim and complete on the boot hart. A source disabled then (irq::dispatch
    // masks a line nobody handles) keeps its enable bit until it is completed: the PLIC may
    // ignore a completion for a source not enabled in the context.
    u32 in_service_ = 0;
    bool disable_when_completed_ = false;
};

// The machine's PLIC (not ready() when the tree has none).
Plic& plic();

} // namespace keel::arch::riscv
