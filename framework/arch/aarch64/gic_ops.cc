// The GIC at run time: per-line masking, trigger and pending state, and the CPU interface the
// interrupt entry acknowledges and ends interrupts through.
#include "arch/aarch64/gic.h"
#include "arch/aarch64/gic_regs.h"
#include "arch/aarch64/sysreg.h"

namespace keel::arch {

namespace {
void write32(const IoMem& io, usize offset, u32 value) {
    static_cast<void>(io.write32(offset, value));
}
u32 read32(const IoMem& io, usize offset) { return io.read32(offset).value_or(0); }

// ICC_SRE_EL1 (IHI 0069 12.2.15): SRE selects the system-register CPU interface.
constexpr u64 icc_sre_sre = 1;
constexpr u64 icc_ctlr_eoimode = 1u << 1; // 0: EOIR both drops priority and deactivates
} // namespace

Gic::Block Gic::block_of(u32 line) const {
    if (version_ == Version::v3 && line < first_spi) {
        return {&my_redistributor(), my_redistributor_offset() + gicr::sgi_frame};
    }
    return {&*distributor_, 0};
}

// The set/clear-enable and set/clear-pending registers take a 1 per line to act on and ignore
// 0s: no read-modify-write, so no lock.
void Gic::set_bit(usize reg, u32 line) {
    Block b = block_of(line);
    write32(*b.io, b.base + reg + 4 * (line / 32), 1u << (line % 32));
}

bool Gic::bit(usize reg, u32 line) const {
    Block b = block_of(line);
    return (read32(*b.io, b.base + reg + 4 * (line / 32)) >> (line % 32) & 1) != 0;
}

// GICv3: a write to ICENABLER takes effect when RWP clears (the distributor's for SPIs, the
// redistributor's for private lines); until then the line may still be forwarded.
void Gic::wait_for_writes(u32 line) const {
    if (version_ != Version::v3) {
        return;
    }
    const IoMem& io = line < first_spi ? my_redistributor() : *distributor_;
    usize ctlr = line < first_spi ? my_redistributor_offset() + gicr::ctlr : gicd::ctlr;
    u32 rwp = line < first_spi ? gicr::ctlr_rwp : gicd::ctlr_rwp;
    for (u32 spin = 0; spin < 1000000 && (read32(io, ctlr) & rwp) != 0; ++spin) {
    }
}

// The line must be disabled while its trigger changes (IHI 0069 12.9.9).
void Gic::configure_trigger(u32 line, bool edge) {
    Block b = block_of(line);
    usize reg = b.base + gicd::icfgr + 4 * (line / 16);
    u32 config_bit = 1u << (2 * (line % 16) + 1);
    u32 value = read32(*b.io, reg);
    write32(*b.io, reg, edge ? value | config_bit : value & ~config_bit);
}

void Gic::enable(u32 line) {
    if (its_.owns(line)) {
        its_.set_enabled(line, true);
        return;
    }
    if (line >= lines_) {
        return;
    }
    SpinLockGuard guard(config_lock_);
    if (line >= first_ppi && !is_enabled(line)) {
        configure_trigger(line, (edge_[line / 32] >> (line % 32) & 1) != 0);
    }
    set_bit(gicd::isenabler, line);
}

void Gic::disable(u32 line) {
    if (its_.owns(line)) {
        its_.set_enabled(line, false);
        return;
    }
    if (line >= lines_) {
        return;
    }
    set_bit(gicd::icenabler, line);
    wait_for_writes(line);
}

void Gic::route_to(u32 line, u32 cpu) {
    if (line < first_spi || line >= lines_ || cpu >= max_cpus) {
        return;
    }
    bool known =
        version_ == Version::v2 ? sgi_targets_[cpu] != 0 : redistributor_region_[cpu] != nullptr;
    if (!known) {
        return; // not started: it could not take the interrupt
    }
    if (version_ == Version::v2) {
        static_cast<void>(
            distributor_->write8(gicd::itargetsr + line, static_cast<u8>(sgi_targets_[cpu])));
    } else {
        u64 affinity = sgi_targets_[cpu]; // Aff3 in bits 31:24 -> IROUTER bits 39:32
        u64 route = (affinity & 0xffffff) | ((affinity >> 24) << 32);
        static_cast<void>(distributor_->write64(gicd::irouter + 8 * line, route));
    }
}

void Gic::set_pending(u32 line) {
    if (line < lines_) {
        set_bit(gicd::ispendr, line);
    }
}

void Gic::clear_pending(u32 line) {
    if (line < lines_) {
        set_bit(gicd::icpendr, line);
    }
}

// LPIs are none of these: their pending bits are the redistributor's table, which it may cache.
bool Gic::is_pending(u32 line) const { return line < lines_ && bit(gicd::ispendr, line); }
bool Gic::is_enabled(u32 line) const {
    if (its_.owns(line)) {
        return its_.is_enabled(line);
    }
    return line < lines_ && bit(gicd::isenabler, line);
}

bool Gic::is_edge_triggered(u32 line) const {
    if (its_.owns(line)) {
        return true; // a message: nothing stays asserted
    }
    Block b = block_of(line);
    u32 value = read32(*b.io, b.base + gicd::icfgr + 4 * (line / 16));
    return (value >> (2 * (line % 16) + 1) & 1) != 0;
}

u64 Gic::cpu_interface_phys() const {
    return version_ == Version::v2 ? cpu_interface_->phys()
                                   : my_redistributor().phys() + my_redistributor_offset();
}

u32 Gic::architecture_revision() const {
    usize pidr2 = version_ == Version::v2 ? gicd::pidr2_v2 : gicd::pidr2_v3;
    return (read32(*distributor_, pidr2) >> 4) & 0xf;
}

Result<void> Gic::init_cpu_interface() {
    if (version_ == Version::v2) {
        const IoMem& c = *cpu_interface_;
        write32(c, gicc::pmr, gicd::priority_mask);
        write32(c, gicc::bpr, 0); // all priority bits preempt (no nesting yet anyway)
        write32(c, gicc::ctlr, gicc::ctlr_enable);
        return {};
    }
    // SAFETY (the system registers below): this CPU's own GIC CPU interface, configured before
    // any interrupt is unmasked; boot.S let EL1 use it (ICC_SRE_EL2.Enable) when entered at EL2.
    KEEL_WRITE_SYSREG(icc_sre_el1, KEEL_READ_SYSREG(icc_sre_el1) | icc_sre_sre);
    if ((KEEL_READ_SYSREG(icc_sre_el1) & icc_sre_sre) == 0) {
        return Errno::enodev; // only the legacy memory-mapped interface: not supported
    }
    KEEL_WRITE_SYSREG(icc_pmr_el1, gicd::priority_mask);
    KEEL_WRITE_SYSREG(icc_bpr1_el1, 0);
    KEEL_WRITE_SYSREG(icc_ctlr_el1, KEEL_READ_SYSREG(icc_ctlr_el1) & ~icc_ctlr_eoimode);
    KEEL_WRITE_SYSREG(icc_igrpen1_el1, 1);
    return {};
}

void Gic::send_sgi(u32 cpu, u32 sgi) {
    u64 target = sgi_targets_[cpu];
    // The caller's stores (a cross-CPU call, a run queue) reach the target before the SGI can.
    // SAFETY: DSB ISH only waits for this CPU's earlier accesses to complete in the inner
    // shareable domain; it reads and writes nothing, and "memory" keeps the compiler's order.
    asm volatile("dsb ish" ::: "memory");
    if (version_ == Version::v2) {
        write32(*distributor_, gicd::sgir, static_cast<u32>((target & 0xff) << 16 | (sgi & 0xf)));
        return;
    }
    // ICC_SGI1R_EL1 (IHI 0069 12.11.14): TargetList 15:0 (one bit per Aff0 within the group of
    // 16 that RS, bits 47:44, selects), Aff1 23:16, INTID 27:24, Aff2 39:32, IRM 40 clear (the
    // listed CPUs only), Aff3 55:48.
    u64 aff0 = target & 0xff;
    u64 value = (u64{1} << (aff0 % 16)) | (((target >> 8) & 0xff) << 16) | (u64{sgi & 0xf} << 24) |
                (((target >> 16) & 0xff) << 32) | ((aff0 / 16) << 44) |
                (((target >> 24) & 0xff) << 48);
    // SAFETY: generates a group 1 SGI for one CPU; nothing else changes.
    KEEL_WRITE_SYSREG(icc_sgi1r_el1, value);
}

u32 Gic::acknowledge() {
    u32 ack = 0;
    if (version_ == Version::v2) {
        ack = cpu_interface_->read32(gicc::iar).value_or(first_special + 3);
    } else {
        // SAFETY: reading IAR acknowledges the interrupt it returns; the caller ends it.
        ack = static_cast<u32>(KEEL_READ_SYSREG(icc_iar1_el1));
    }
    // The acknowledgement completes before the handler reads the device (as Linux's GICv3
    // driver does): the device must not be looked at for an interrupt not yet taken.
    // SAFETY: DSB SY only waits for this CPU's earlier accesses, device ones included, to
    // complete; it reads and writes nothing, and "memory" keeps the compiler's order.
    asm volatile("dsb sy" ::: "memory");
    return ack;
}

void Gic::end(u32 ack) {
    // The handler's device writes (clearing its interrupt) complete before the EOI, or a level
    // line still high from them would pend the interrupt again.
    // SAFETY: DSB SY only waits for this CPU's earlier accesses, device ones included, to
    // complete; it reads and writes nothing, and "memory" keeps the compiler's order.
    asm volatile("dsb sy" ::: "memory");
    if (version_ == Version::v2) {
        write32(*cpu_interface_, gicc::eoir, ack);
    } else {
        // SAFETY: ends the interrupt acknowledge() returned (EOImode 0: drop and deactivate).
        KEEL_WRITE_SYSREG(icc_eoir1_el1, ack);
    }
}

} // namespace keel::arch
