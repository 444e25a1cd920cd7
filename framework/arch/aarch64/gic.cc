// Finding the GIC in the device tree and bringing it up: the distributor (shared), and this
// CPU's private lines and CPU interface. Every line starts masked, group 1 (v3), at one priority,
// routed to this CPU; the IrqLine API enables what drivers ask for.
#include "arch/aarch64/gic.h"

#include <keel/ktl/fixed_vector.h>
#include <keel/log.h>

#include "arch/aarch64/gic_regs.h"
#include "arch/aarch64/sysreg.h"
#include "boot/live_device_tree.h"
#include "io_mem_internal.h"

namespace keel::arch {

namespace {

constexpr StringView v2_compatibles[] = {"arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic",
                                         "arm,cortex-a7-gic"};

Optional<Gic::Version> version_of(const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
    if (!dt.property(node, "interrupt-controller")) {
        return none;
    }
    if (dt.is_compatible(node, "arm,gic-v3")) {
        return Gic::Version::v3;
    }
    for (StringView c : v2_compatibles) {
        if (dt.is_compatible(node, c)) {
            return Gic::Version::v2;
        }
    }
    return none;
}

// The root's interrupt parent (where every device's interrupts go unless it says otherwise),
// else the first GIC in the tree.
Optional<boot::DeviceTree::Node> find_gic(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> parent = boot::interrupt_parent(dt, boot::DeviceTree::root);
    if (parent && dt.is_enabled(*parent) && version_of(dt, *parent)) {
        return parent;
    }
    Optional<boot::DeviceTree::Node> first;
    dt.for_each_node([&](boot::DeviceTree::Node node) {
        if (!first && dt.is_enabled(node) && version_of(dt, node)) {
            first = node;
        }
    });
    return first;
}

// Drivers cannot map the GIC: the framework claims it as it maps it.
Result<IoMem> acquire_and_claim(PhysRange range) {
    return IoMemAccess::acquire_claimed(range.base, range.size);
}

void write32(const IoMem& io, usize offset, u32 value) {
    static_cast<void>(io.write32(offset, value));
}
u32 read32(const IoMem& io, usize offset) { return io.read32(offset).value_or(0); }

// A GICv3 register-write-pending bit: set while an earlier write (CTLR, ICENABLER) is still
// taking effect. Bounded: a GIC that never clears it should not hang the boot.
void wait_rwp(const IoMem& io, usize ctlr, u32 rwp) {
    for (u32 spin = 0; spin < 1000000 && (read32(io, ctlr) & rwp) != 0; ++spin) {
    }
}

} // namespace

Result<void> Gic::map(const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
    // Only the first entries matter (the GICC/GICH/GICV frames a v3 node may list last do not).
    FixedVector<PhysRange, 2 + max_redistributor_regions> regs;
    TRY(dt.for_each_reg(node, [&](u64 base, u64 size) {
        static_cast<void>(regs.push({base, size}).ok());
    }));
    if (version_ == Version::v2) {
        // <GICD GICC [GICH GICV]>: the hypervisor frames are not ours to use.
        if (regs.size() < 2) {
            return Errno::einval;
        }
        distributor_ = TRY(acquire_and_claim(regs[0]));
        cpu_interface_ = TRY(acquire_and_claim(regs[1]));
        return {};
    }
    // <GICD GICR... [GICC GICH GICV]>, as many GICR regions as #redistributor-regions says.
    u64 regions = dt.integer_property(node, "#redistributor-regions").value_or(1);
    if (regions == 0 || regions > max_redistributor_regions || regs.size() < 1 + regions) {
        return Errno::einval;
    }
    redistributor_stride_ = dt.integer_property(node, "redistributor-stride").value_or(0);
    distributor_ = TRY(acquire_and_claim(regs[0]));
    for (usize i = 0; i < regions; ++i) {
        redistributors_[i] = TRY(acquire_and_claim(regs[1 + i]));
    }
    return {};
}

// The redistributor regions must hold GICv3/v4 redistributors (GICR_PIDR2.ArchRev).
Result<void> Gic::check_redistributors() const {
    for (const Optional<IoMem>& region : redistributors_) {
        u32 arch_rev = region ? (read32(*region, gicr::pidr2) >> 4) & 0xf : 3;
        if (arch_rev != 3 && arch_rev != 4) {
            return Errno::einval;
        }
    }
    return {};
}

// Walks the redistributor regions frame by frame for the one whose GICR_TYPER names affinity.
Result<Gic::Redistributor> Gic::redistributor_of(u64 affinity) const {
    for (const Optional<IoMem>& region : redistributors_) {
        if (!region) {
            continue;
        }
        for (usize at = 0; at + gicr::frames_v3 <= region->size();) {
            u64 typer = region->read64(at + gicr::typer).value_or(gicr::typer_last);
            if ((typer >> 32) == affinity) {
                return Redistributor{&*region, at};
            }
            if ((typer & gicr::typer_last) != 0) {
                break;
            }
            // GICv4 adds two frames (VLPI, reserved) to each redistributor.
            at += redistributor_stride_ != 0         ? redistributor_stride_
                  : (typer & gicr::typer_vlpis) != 0 ? gicr::frames_v4
                                                     : gicr::frames_v3;
        }
    }
    return Errno::enodev;
}

void Gic::init_distributor() {
    const IoMem& d = *distributor_;
    write32(d, gicd::ctlr, 0); // off while configuring
    if (version_ == Version::v3) {
        wait_rwp(d, gicd::ctlr, gicd::ctlr_rwp);
    }
    u32 it_lines = read32(d, gicd::typer) & 0x1f;
    lines_ = min(32 * (it_lines + 1), first_special);
    u64 affinity = this_cpu_affinity();
    u8 targets = version_ == Version::v2 ? this_cpu_interface_mask() : 0;
    for (u32 line = first_spi; line < lines_; line += 32) {
        usize word = 4 * (line / 32);
        write32(d, gicd::icenabler + word, ~0u);
        write32(d, gicd::icpendr + word, ~0u);
        write32(d, gicd::icactiver + word, ~0u);
        if (version_ == Version::v3) {
            write32(d, gicd::igroupr + word, ~0u); // group 1: signalled as IRQ to EL1
        }
    }
    for (u32 line = first_spi; line < lines_; line += 16) {
        write32(d, gicd::icfgr + 4 * (line / 16), 0); // level until a specifier says edge
    }
    for (u32 line = first_spi; line < lines_; ++line) {
        static_cast<void>(d.write8(gicd::ipriorityr + line, gicd::default_priority));
        if (version_ == Version::v2) {
            static_cast<void>(d.write8(gicd::itargetsr + line, targets != 0 ? targets : 1));
        } else {
            // Aff3 goes to bits 39:32; Interrupt_Routing_Mode 0: exactly this CPU.
            u64 route = (affinity & 0xffffff) | ((affinity >> 24) << 32);
            static_cast<void>(d.write64(gicd::irouter + 8 * line, route));
        }
    }
    if (version_ == Version::v2) {
        write32(d, gicd::ctlr, gicd::ctlr_enable_v2);
    } else {
        wait_rwp(d, gicd::ctlr, gicd::ctlr_rwp);
        write32(d, gicd::ctlr, gicd::ctlr_are | gicd::ctlr_enable_g1a | gicd::ctlr_enable_g1);
        wait_rwp(d, gicd::ctlr, gicd::ctlr_rwp);
    }
}

u8 Gic::this_cpu_interface_mask() const {
    u8 targets = 0;
    for (u32 i = 0; i < 8; ++i) {
        // GICD_ITARGETSR0-7 (read-only, banked) name the reading CPU's own interface.
        u32 t = read32(*distributor_, gicd::itargetsr + 4 * i);
        targets |= static_cast<u8>(t | t >> 8 | t >> 16 | t >> 24);
    }
    return targets;
}

Result<void> Gic::init_private_lines() {
    if (version_ == Version::v3) {
        // The redistributor forwards nothing to its CPU until told the CPU is awake.
        const IoMem& r = my_redistributor();
        usize waker = my_redistributor_offset() + gicr::waker;
        write32(r, waker, read32(r, waker) & ~gicr::waker_processor_sleep);
        u32 spin = 0;
        for (; spin < 1000000 && (read32(r, waker) & gicr::waker_children_asleep) != 0; ++spin) {
        }
        if ((read32(r, waker) & gicr::waker_children_asleep) != 0) {
            return Errno::eio;
        }
    }
    Block b = block_of(0);
    write32(*b.io, b.base + gicd::icenabler, ~0u);
    write32(*b.io, b.base + gicd::icpendr, ~0u);
    write32(*b.io, b.base + gicd::icactiver, ~0u);
    if (version_ == Version::v3) {
        write32(*b.io, b.base + gicd::igroupr, ~0u);
    }
    for (u32 line = 0; line < first_spi; line += 4) {
        u32 four = gicd::default_priority * 0x01010101u;
        write32(*b.io, b.base + gicd::ipriorityr + line, four);
    }
    wait_for_writes(0);
    return {};
}

Result<void> Gic::init(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> node = find_gic(dt);
    if (!node) {
        return Errno::enodev;
    }
    version_ = *version_of(dt, *node);
    interrupt_cells_ = static_cast<u32>(dt.integer_property(*node, "#interrupt-cells").value_or(0));
    if (interrupt_cells_ != 3 && interrupt_cells_ != 4) {
        return Errno::einval;
    }
    TRY(map(dt, *node));
    if (version_ == Version::v3) {
        TRY(check_redistributors());
    }
    init_distributor();
    if (version_ == Version::v2) {
        // Without a frame PCI still works, with INTx: log and go on.
        if (Result<void> v2m = init_v2m(dt, *node); v2m.is_error()) {
            log::warn("interrupts: GICv2m frame unusable ({}): no MSIs", v2m.error());
        }
    }
    TRY(init_this_cpu());
    if (version_ == Version::v3) {
        init_its(dt, *node); // needs the boot CPU's redistributor, found just now
    }
    return {};
}

// Without a usable ITS PCI still works, with INTx: log and go on.
void Gic::init_its(const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
    u32 cpu = static_cast<u32>(this_cpu());
    GicIts::Redistributor rd{redistributor_region_[cpu], redistributor_offset_[cpu]};
    Result<void> done = its_.init(dt, node, *distributor_, rd, lines_, irq::max_lines - lines_);
    if (done.is_error()) {
        if (done.error() != Errno::enodev) {
            log::warn("interrupts: GICv3 ITS unusable ({}): no MSIs", done.error());
        }
        return;
    }
    log::info("interrupts: GICv3 ITS at {:#x}, {} LPIs", its_.phys(), its_.count());
}

Result<void> Gic::init_this_cpu() {
    u32 cpu = static_cast<u32>(this_cpu());
    if (version_ == Version::v3) {
        Redistributor mine = TRY(redistributor_of(this_cpu_affinity()));
        redistributor_region_[cpu] = mine.region;
        redistributor_offset_[cpu] = mine.offset;
        sgi_targets_[cpu] = this_cpu_affinity();
    } else {
        u8 mask = this_cpu_interface_mask();
        sgi_targets_[cpu] = mask != 0 ? mask : 1; // a uniprocessor GIC may read 0
    }
    TRY(init_private_lines());
    return init_cpu_interface();
}

Result<u32> Gic::translate(const IrqSource& source) {
    if (source.kind != IrqSource::Kind::device_tree || source.cell_count != interrupt_cells_) {
        return Errno::einval;
    }
    u32 type = source.cells[0];
    u32 number = source.cells[1];
    u32 trigger = source.cells[2] & 0xf;
    if (interrupt_cells_ == 4 && source.cells[3] != 0) {
        return Errno::einval; // PPI partitions (GICv3 4-cell binding) are not supported
    }
    u32 line = 0;
    bool edge = false;
    if (type == 0 && number < lines_ - first_spi) {
        // An SPI's trigger is set in the GIC, which knows only rising edge and high level.
        if (trigger != 1 && trigger != 4) {
            return Errno::einval;
        }
        line = first_spi + number;
        edge = trigger == 1;
    } else if (type == 1 && number < first_spi - first_ppi) {
        // A PPI's polarity is the device's business; the GIC sees edge or level.
        if (trigger != 1 && trigger != 2 && trigger != 4 && trigger != 8) {
            return Errno::einval;
        }
        line = first_ppi + number;
        edge = trigger <= 2;
    } else {
        return Errno::einval; // extended SPI/PPI ranges (types 2, 3) and out-of-range numbers
    }
    SpinLockGuard guard(config_lock_);
    u32 bit = 1u << (line % 32);
    edge_[line / 32] = edge ? edge_[line / 32] | bit : edge_[line / 32] & ~bit;
    return line;
}

} // namespace keel::arch
