// Private to framework/arch/aarch64: the Arm Generic Interrupt Controller, GICv2 or GICv3, found
// in the device tree. Both versions share the distributor's register layout (GIC architecture
// specification IHI 0069, chapter 12; IHI 0048 for v2); they differ in where a CPU's private
// lines live (v2: banked in the distributor; v3: the CPU's redistributor) and in the CPU
// interface (v2: GICC registers in memory; v3: the ICC_* system registers). Line numbers are the
// GIC's INTIDs: 0-15 SGIs, 16-31 PPIs (this CPU's own), 32 and up SPIs; on a GICv3 with an ITS
// the LPIs (INTID 8192 up, gic_its.h) take the lines just above the SPIs.
#pragma once

#include <keel/io_mem.h>
#include <keel/ktl/array.h>
#include <keel/ktl/optional.h>

#include "arch/aarch64/gic_its.h"
#include "boot/devicetree.h"
#include "irq/controller.h"
#include "mm/cpu_local.h"
#include <keel/spin_lock.h>

namespace keel::arch {

class Gic final : public irq::Controller {
public:
    enum class Version : u8 { v2, v3 };

    static constexpr u32 first_ppi = 16;
    static constexpr u32 first_spi = 32;
    static constexpr u32 first_special = 1020; // INTIDs 1020-1023 mean "no interrupt"

    constexpr Gic() = default;

    // Finds the interrupt parent of the device tree's root, maps and claims its registers, and
    // brings up the distributor and this CPU's redistributor and CPU interface, every line
    // masked. ENODEV when there is no GIC, EINVAL for a node this code cannot use.
    Result<void> init(const boot::DeviceTree& dt);
    // On a secondary CPU (cpu_index() set, after init on the boot CPU): its redistributor (v3)
    // or banked private lines (v2), all masked, and its CPU interface; records how SGIs reach
    // it. ENODEV when no redistributor names this CPU.
    Result<void> init_this_cpu();

    // Raises SGI sgi (0-15) on the CPU with index cpu (one that ran init or init_this_cpu):
    // v2 through GICD_SGIR with its CPU interface mask, v3 through ICC_SGI1R_EL1 with its
    // affinity. Memory written before the call is visible to the target's handler.
    void send_sgi(u32 cpu, u32 sgi);

    StringView name() const override {
        if (version_ == Version::v2) {
            return "GICv2";
        }
        return "GICv3";
    }
    // A device-tree specifier for the GIC binding: <type number flags> (type 0 SPI, 1 PPI;
    // flags bits 3:0 the trigger, 1 rising edge or 4 high level). EINVAL otherwise.
    Result<u32> translate(const IrqSource& source) override;
    u32 line_count() const override {
        return its_.ready() ? its_.first_line() + its_.count() : lines_;
    }
    u32 spi_limit() const { return lines_; } // lines below are SGIs, PPIs and SPIs
    void enable(u32 line) override;
    void disable(u32 line) override;
    // MSIs through a GICv2m frame (gic_v2m.cc): each message sets one of the frame's SPIs; or
    // through a GICv3's ITS (gic_its.cc): each message is an LPI, translated for device_id.
    // EOPNOTSUPP without either (PCI uses INTx).
    Result<u32> allocate_msi(u32 device_id) override;
    void free_msi(u32 line) override;
    irq::MsiMessage msi_message(u32 line) const override;

    // The interrupt entry: acknowledge the highest-priority pending interrupt (its INTID is
    // intid(ack), is_special when none is pending), and end it after handling.
    u32 acknowledge();
    void end(u32 ack);
    u32 intid(u32 ack) const { return version_ == Version::v2 ? ack & 0x3ff : ack & 0xffffff; }
    // INTIDs 1020-1023: nothing to handle (none pending, or for another security state).
    static bool is_special(u32 intid) { return intid >= first_special && intid < 1024; }
    // The line an INTID is dispatched on: itself, or an LPI's line (irq::max_lines for an
    // INTID no line stands for).
    u32 line_of(u32 intid) const { return intid < GicIts::first_lpi ? intid : its_.line_of(intid); }

    // What ktests check against the hardware and the device tree.
    Version version() const { return version_; }
    u64 distributor_phys() const { return distributor_->phys(); }
    u64 cpu_interface_phys() const; // GICC (v2), this CPU's redistributor frame (v3)
    u64 sgi_target(u32 cpu) const { return sgi_targets_[cpu]; } // v2 mask, v3 affinity
    u32 interrupt_cells() const { return interrupt_cells_; }
    u32 architecture_revision() const; // GICD_PIDR2.ArchRev: 2 for GICv2, 3 or 4 for GICv3
    const GicIts& its() const { return its_; }
    // v3: the redistributor frame of the CPU with this MPIDR affinity (Aff3 in bits 31:24), by
    // walking the redistributor regions; ENODEV when none names it.
    struct Redistributor {
        const IoMem* region;
        usize offset;
    };
    Result<Redistributor> redistributor_of(u64 affinity) const;
    // An SPI delivered to CPU cpu (by index) from now on; init routes them all to the boot CPU.
    void route_to(u32 line, u32 cpu);
    void set_pending(u32 line); // a software-raised interrupt, as a device would assert it
    void clear_pending(u32 line);
    bool is_pending(u32 line) const;
    bool is_enabled(u32 line) const;
    bool is_edge_triggered(u32 line) const;
    // The CPU writes an MSI to the v2m frame or the ITS, as a device would (EINVAL for a
    // message that is not theirs). QEMU tags a CPU's writes with requester ID 0: the ITS
    // translates them for DeviceID 0.
    Result<void> write_msi(const irq::MsiMessage& message) const;

private:
    // A register block holding line's enable/pending/priority/config bits: the distributor,
    // or (v3, SGIs and PPIs) this CPU's redistributor's SGI frame.
    struct Block {
        const IoMem* io;
        usize base;
    };
    Block block_of(u32 line) const;
    void set_bit(usize reg, u32 line);
    bool bit(usize reg, u32 line) const;
    void wait_for_writes(u32 line) const;
    void configure_trigger(u32 line, bool edge);

    Result<void> map(const boot::DeviceTree& dt, boot::DeviceTree::Node node);
    Result<void> init_v2m(const boot::DeviceTree& dt, boot::DeviceTree::Node node);
    void init_its(const boot::DeviceTree& dt, boot::DeviceTree::Node node);
    Result<void> check_redistributors() const;
    void init_distributor();
    Result<void> init_private_lines();
    Result<void> init_cpu_interface();
    u8 this_cpu_interface_mask() const; // v2: GICD_ITARGETSR0-7, banked per CPU
    const IoMem& my_redistributor() const { return *redistributor_region_[this_cpu()]; }
    usize my_redistributor_offset() const { return redistributor_offset_[this_cpu()]; }

    static constexpr usize max_redistributor_regions = 4;

    Version version_ = Version::v2;
    u32 lines_ = 0;
    u32 interrupt_cells_ = 3;
    Optional<IoMem> distributor_;
    Optional<IoMem> cpu_interface_;                                      // v2: GICC
    Array<Optional<IoMem>, max_redistributor_regions> redistributors_{}; // v3: GICR regions
    u64 redistributor_stride_ = 0; // v3: bytes per CPU (0: from GICR_TYPER)
    // Per CPU, by cpu_index(): v3 the CPU's redistributor frame; how an SGI names the CPU.
    Array<const IoMem*, max_cpus> redistributor_region_{};
    Array<usize, max_cpus> redistributor_offset_{};
    Array<u64, max_cpus> sgi_targets_{};
    SpinLock config_lock_;
    Array<u32, irq::max_lines / 32> edge_{}; // the trigger translate last saw, applied on enable
    // GICv2m: the frame's SETSPI register and its SPIs [msi_first_, msi_first_ + msi_count_).
    Optional<IoMem> v2m_;
    u32 msi_first_ = 0;
    u32 msi_count_ = 0;
    Array<u32, irq::max_lines / 32> msi_used_{};
    // GICv3: the ITS, when the tree has one this code can drive.
    GicIts its_;
};

// The registered controller (null before init_interrupts).
Gic* gic();

} // namespace keel::arch
