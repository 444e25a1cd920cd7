// Private to framework/arch/aarch64: the GICv3 Interrupt Translation Service, which turns a
// device's MSI write (an event ID written to GITS_TRANSLATER, tagged with the writer's DeviceID)
// into an LPI: a message interrupt with no wire and no distributor state, configured by a byte in
// memory (priority, enable) and held pending in another table. The ITS finds the LPI through
// tables of its own in memory: per DeviceID an interrupt translation table (ITT) mapping event
// IDs to LPIs and a collection, per collection the redistributor that takes them. Software
// fills them by commands in a queue in memory (IHI 0069 chapter 5).
//
// Here every LPI goes to the boot CPU (one collection, ICID 0), and one number names an LPI
// three ways: LPI k is event ID k (of whichever device it was allocated for), INTID 8192 + k,
// and framework line first_line() + k. So a device's ITT covers every event ID, and an LPI
// needs no per-device event bookkeeping.
#pragma once

#include <keel/frame.h>
#include <keel/io_mem.h>
#include <keel/ktl/array.h>
#include <keel/ktl/optional.h>
#include <keel/spin_lock.h>

#include "boot/devicetree.h"
#include "irq/controller.h"

namespace keel::arch {

class GicIts {
public:
    static constexpr u32 first_lpi = 8192; // LPI INTIDs start here

    constexpr GicIts() = default;

    struct Redistributor {
        const IoMem* io;
        usize offset; // of the RD frame in io
    };
    // Finds the ITS among the children of the GIC's node, sets up LPIs on the boot CPU's
    // redistributor (rd: configuration and pending tables, EnableLPIs), the ITS's tables and
    // command queue, maps the one collection to rd and enables the ITS. The LPIs take
    // framework lines [first_line, first_line + max_count) at most. ENODEV without an ITS
    // (MSIs are then refused), EOPNOTSUPP for one this code does not drive (no physical LPIs,
    // LPIs already enabled by firmware, tables the ITS will not share coherently), EIO when it
    // does not carry out its commands, ENOMEM.
    Result<void> init(const boot::DeviceTree& dt, boot::DeviceTree::Node gic,
                      const IoMem& distributor, Redistributor rd, u32 first_line, u32 max_count);

    bool ready() const { return ready_; }
    u64 phys() const { return frames_ ? frames_->phys() : 0; }
    u32 first_line() const { return first_line_; }
    u32 count() const { return count_; }
    bool owns(u32 line) const {
        return ready_ && line >= first_line_ && line - first_line_ < count_;
    }
    // The framework line of INTID intid (an LPI's), irq::max_lines for one that is not ours.
    u32 line_of(u32 intid) const;

    // An LPI for an MSI from DeviceID device_id, mapped and disabled. EINVAL for a DeviceID
    // beyond the device table, ENOSPC when every LPI (or device slot) is taken, EIO when the
    // ITS failed a command (it is not used again).
    Result<u32> allocate(u32 device_id);
    void free(u32 line); // unmaps it (DISCARD: a pending LPI goes too)
    irq::MsiMessage message(u32 line) const;
    // Sets or clears the LPI's enable bit and has the redistributor reread it (INV).
    void set_enabled(u32 line, bool enabled);
    bool is_enabled(u32 line) const;
    // A CPU's write of message to GITS_TRANSLATER, as a device would make it (ktests); the
    // ITS takes the DeviceID from the write's requester ID. EINVAL for another address.
    Result<void> write(const irq::MsiMessage& message) const;

private:
    using Command = Array<u64, 4>;
    bool in_use(u32 lpi) const { return (used_[lpi / 32] >> (lpi % 32) & 1) != 0; }
    // The LPI behind line when it is this ITS's and allocated (lock_ held), else none.
    Optional<u32> allocated_lpi(u32 line) const {
        if (!owns(line) || !in_use(line - first_line_)) {
            return none;
        }
        return line - first_line_;
    }
    Result<void> init_redistributor(const IoMem& distributor, Redistributor rd, u32 max_count);
    Result<void> init_tables();
    Result<void> init_table(u32 index, u64 baser);
    Result<void> init_command_queue();
    Result<void> run(Span<const Command> commands); // queued, then a SYNC; waits for them all
    Result<void> run_one(const Command& command);
    Result<void> push(const Command& command);
    Result<void> wait_until_read(u64 offset);
    Result<usize> device_slot(u32 device_id); // mapping the device (MAPD) the first time
    void write_config(u32 lpi, bool enabled);
    Command sync() const;

    static constexpr usize max_devices = 32; // PCI functions with MSIs; ITTs are kept for good
    static constexpr usize queue_bytes = 64 * 1024;

    bool ready_ = false;
    bool broken_ = false; // a command failed: the ITS is not trusted with more
    Optional<IoMem> frames_;
    u32 first_line_ = 0;
    u32 count_ = 0;
    u32 itt_entry_bytes_ = 0;
    u32 event_bits_ = 0;             // every device's ITT covers event IDs [0, 2^event_bits_)
    u32 device_limit_ = 0;           // DeviceIDs the device table covers
    u64 target_ = 0;                 // how MAPC and SYNC name the boot CPU's redistributor (RDbase)
    usize queue_write_ = 0;          // our copy of GITS_CWRITER
    Optional<Segment> config_table_; // GICR_PROPBASER: a byte per LPI
    Optional<Segment> pending_table_; // GICR_PENDBASER: a bit per INTID
    Optional<Segment> queue_;
    Array<Optional<Segment>, 8> tables_{}; // behind GITS_BASER<n>
    Array<Optional<Segment>, max_devices> itts_{};
    Array<u32, max_devices> device_ids_{};
    Array<u32, irq::max_lines> lpi_device_{}; // the DeviceID each allocated LPI is mapped for
    Array<u32, irq::max_lines / 32> used_{};
    SpinLock lock_; // the queue, the tables, used_
};

} // namespace keel::arch
