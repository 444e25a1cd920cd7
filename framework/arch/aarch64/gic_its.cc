// The GICv3 ITS (gic_its.h): bring-up, then LPIs allocated, enabled and freed by commands. The
// tables are the framework's pages, reached through Segment's checked copies like any other
// memory the kernel owns; the ITS and the redistributor read them as Inner Shareable
// write-back memory, which is how the linear map holds them, so no cache maintenance is needed.
// A GIC that will only read them non-shareable (it reports so by clearing the shareability
// field) would need cleaned caches: it is refused, and PCI keeps INTx.
#include "arch/aarch64/gic_its.h"

#include <keel/page.h>

#include "arch/aarch64/gic_regs.h"
#include "boot/live_device_tree.h"
#include "io_mem_internal.h"

namespace keel::arch {

namespace {

// Enough LPIs for every function's vectors (the framework's line space caps them anyway):
// INTIDs below 2^14, so LPIs 8192-16383.
constexpr u32 lpi_id_bits = 14;
// A configuration byte: priority in bits 7:2, bit 1 RES1, bit 0 the enable.
constexpr u8 config_disabled = (gicd::default_priority & 0xfc) | 0x2;
constexpr u8 config_enabled = config_disabled | 0x1;
// The pending table's base is 64 KiB aligned: a 16-page run is, from the buddy allocator.
constexpr u64 pending_alignment = 64 * 1024;
// GICR_TYPER.Processor_Number, bits 23:8: how MAPC names a redistributor when GITS_TYPER.PTA
// is clear (RDbase then holds it in bits 51:16, where an address's bits would be).
constexpr u64 processor_number(u64 gicr_typer) { return (gicr_typer >> 8) & 0xffff; }
constexpr u64 rdbase_mask = 0x000fffffffff0000;      // bits 51:16
constexpr u64 itt_address_mask = 0x000fffffffffff00; // bits 51:8: the ITT is 256-byte aligned
// Reads of a register the ITS is expected to change soon (CREADR, CTLR.Quiescent), before it
// counts as not answering. The QEMU ITS answers at once; hardware within microseconds.
constexpr u32 max_polls = 1000000;

constexpr usize pages_for(u64 bytes) {
    return static_cast<usize>((bytes + page_size - 1) / page_size);
}

u64 read64(const IoMem& io, usize offset) { return io.read64(offset).value_or(0); }
void write64(const IoMem& io, usize offset, u64 value) {
    static_cast<void>(io.write64(offset, value));
}
u32 read32(const IoMem& io, usize offset) { return io.read32(offset).value_or(0); }
void write32(const IoMem& io, usize offset, u32 value) {
    static_cast<void>(io.write32(offset, value));
}

// The smallest b with 2^b >= n, at least 1 (MAPD's Size is bits - 1).
u32 bits_for(u32 n) {
    u32 b = 1;
    while ((u64{1} << b) < n) {
        ++b;
    }
    return b;
}

} // namespace

Result<void> GicIts::init(const boot::DeviceTree& dt, boot::DeviceTree::Node gic,
                          const IoMem& distributor, Redistributor rd, u32 first_line,
                          u32 max_count) {
    Optional<boot::DeviceTree::Node> node =
        boot::find_msi_controller_child(dt, gic, "arm,gic-v3-its");
    if (!node) {
        return Errno::enodev;
    }
    Optional<PhysRange> reg = boot::first_reg(dt, *node);
    if (!reg || reg->size < gits::frames_size) {
        return Errno::einval;
    }
    frames_ = TRY(IoMemAccess::acquire_claimed(reg->base, gits::frames_size));
    const IoMem& its = *frames_;
    u64 typer = read64(its, gits::typer);
    if ((typer & gits::typer_physical) == 0) {
        return Errno::eopnotsupp; // a GICv4 ITS for virtual LPIs only
    }
    itt_entry_bytes_ = gits::typer_itt_entry_size(typer);
    // Requester IDs are 16 bits: a wider DeviceID space (an msi-map offsetting them) is cut.
    device_limit_ = u32{1} << min(gits::typer_dev_bits(typer), 16u);
    first_line_ = first_line;
    TRY(init_redistributor(distributor, rd, max_count));
    event_bits_ = bits_for(count_);
    if (event_bits_ > gits::typer_id_bits(typer)) {
        return Errno::eopnotsupp;
    }
    u64 rd_typer = read64(*rd.io, rd.offset + gicr::typer);
    target_ = (typer & gits::typer_pta) != 0 ? (rd.io->phys() + rd.offset) & rdbase_mask
                                             : processor_number(rd_typer) << 16;

    // Firmware may have left it running: its tables are set only while it is off and idle.
    u32 ctlr = read32(its, gits::ctlr);
    if ((ctlr & gits::ctlr_enabled) != 0) {
        write32(its, gits::ctlr, ctlr & ~gits::ctlr_enabled);
    }
    u32 polls = 0;
    for (; polls < max_polls && (read32(its, gits::ctlr) & gits::ctlr_quiescent) == 0; ++polls) {
    }
    if (polls == max_polls) {
        return Errno::eio;
    }
    TRY(init_tables());
    TRY(init_command_queue());
    // Commands are read only while the ITS is enabled.
    write32(its, gits::ctlr, gits::ctlr_enabled);
    Command mapc = {gits::cmd_mapc, 0, gits::baser_valid | target_ /* | ICID 0 */, 0};
    TRY(run_one(mapc));
    ready_ = true;
    return {};
}

// The LPI configuration and pending tables of the boot CPU's redistributor, then EnableLPIs
// (after which they are fixed until reset: firmware that set it leaves us nothing to do).
Result<void> GicIts::init_redistributor(const IoMem& distributor, Redistributor rd, u32 max_count) {
    const IoMem& r = *rd.io;
    u32 gicd_typer = read32(distributor, gicd::typer);
    if ((gicd_typer & gicd::typer_lpis) == 0 ||
        (read64(r, rd.offset + gicr::typer) & gicr::typer_plpis) == 0) {
        return Errno::eopnotsupp;
    }
    if ((read32(r, rd.offset + gicr::ctlr) & gicr::ctlr_enable_lpis) != 0) {
        return Errno::eopnotsupp;
    }
    u32 id_bits = min(gicd::typer_id_bits(gicd_typer), lpi_id_bits);
    if (id_bits <= 13) {
        return Errno::eopnotsupp; // INTIDs end below 8192: no LPIs
    }
    u32 lpis = (u32{1} << id_bits) - first_lpi;
    count_ = min(lpis, max_count);
    if (count_ == 0) {
        return Errno::enospc;
    }

    config_table_ = TRY(Segment::allocate(pages_for(lpis)));
    Array<u8, 256> disabled{};
    for (u8& b : disabled) {
        b = config_disabled;
    }
    for (usize at = 0; at < lpis; at += disabled.size()) {
        TRY(config_table_->write(
            at, disabled.span().subspan(0, min<usize>(disabled.size(), lpis - at))));
    }
    // A bit per INTID, the first 1 KiB (SGIs to SPIs) unused; zeroed, which PTZ tells the GIC.
    u64 pending_bytes = max<u64>((u64{1} << id_bits) / 8, pending_alignment);
    pending_table_ = TRY(Segment::allocate(pages_for(pending_bytes)));
    if (pending_table_->phys() % pending_alignment != 0) {
        return Errno::enomem;
    }
    u64 propbaser =
        config_table_->phys() | gits::inner_shareable | gits::inner_wb_gicr | (id_bits - 1);
    write64(r, rd.offset + gicr::propbaser, propbaser);
    u64 pendbaser =
        pending_table_->phys() | gits::pendbaser_ptz | gits::inner_shareable | gits::inner_wb_gicr;
    write64(r, rd.offset + gicr::pendbaser, pendbaser);
    if ((read64(r, rd.offset + gicr::propbaser) & gits::shareability_mask) == 0 ||
        (read64(r, rd.offset + gicr::pendbaser) & gits::shareability_mask) == 0) {
        return Errno::eopnotsupp;
    }
    write32(r, rd.offset + gicr::ctlr, read32(r, rd.offset + gicr::ctlr) | gicr::ctlr_enable_lpis);
    return {};
}

// Flat tables for the device and collection BASERs; the others (vPEs, GICv4) stay invalid.
Result<void> GicIts::init_tables() {
    bool devices = false;
    for (u32 n = 0; n < tables_.size(); ++n) {
        u64 baser = read64(*frames_, gits::baser + 8 * n);
        u32 type = gits::baser_type(baser);
        if (type == gits::baser_type_device || type == gits::baser_type_collection) {
            TRY(init_table(n, baser));
            devices = devices || type == gits::baser_type_device;
        }
    }
    // Without a device table there is nowhere to map a device (a collection table is needed
    // only when the ITS holds no collections itself; ICID 0 is within what any ITS holds).
    return devices ? Result<void>{} : Result<void>{Errno::eopnotsupp};
}

Result<void> GicIts::init_table(u32 index, u64 baser) {
    const IoMem& its = *frames_;
    usize reg = gits::baser + 8 * index;
    bool device = gits::baser_type(baser) == gits::baser_type_device;
    u64 entry_bytes = gits::baser_entry_size(baser);
    u64 fixed = baser & ((u64{7} << 56) | (u64{0x1f} << 48)); // Type, Entry_Size: read-only
    // The first page size the ITS keeps when written (4, 16, 64 KiB: a field may be fixed).
    u64 page_field = 3;
    for (u64 candidate = 0; candidate < 3; ++candidate) {
        write64(its, reg, fixed | candidate << gits::baser_page_size_shift);
        u64 kept = (read64(its, reg) & gits::baser_page_size_mask) >> gits::baser_page_size_shift;
        if (kept == candidate) {
            page_field = candidate;
            break;
        }
    }
    if (page_field == 3) {
        return Errno::eopnotsupp;
    }
    u64 table_page = page_size << (2 * page_field);
    // The device table covers every DeviceID we hand out; collections: ICID 0 alone.
    u64 entries = device ? device_limit_ : 1;
    u64 pages = (entries * entry_bytes + table_page - 1) / table_page;
    if (pages > gits::baser_max_pages) {
        pages = gits::baser_max_pages; // flat tables only: fewer DeviceIDs then
    }
    if (device) {
        device_limit_ = static_cast<u32>(min<u64>(device_limit_, pages * table_page / entry_bytes));
    }
    Segment table = TRY(Segment::allocate(pages_for(pages * table_page)));
    if (table.phys() % table_page != 0 || (table.phys() >> 48) != 0) {
        return Errno::enomem; // a multi-page run is aligned to its size: cannot happen
    }
    u64 value = gits::baser_valid | gits::inner_wb_its | fixed | table.phys() |
                gits::inner_shareable | page_field << gits::baser_page_size_shift | (pages - 1);
    write64(its, reg, value);
    u64 kept = read64(its, reg);
    if ((kept & gits::baser_valid) == 0 || (kept & gits::baser_indirect) != 0 ||
        (kept & gits::shareability_mask) == 0) {
        write64(its, reg, 0);
        return Errno::eopnotsupp;
    }
    tables_[index] = move(table);
    return {};
}

Result<void> GicIts::init_command_queue() {
    queue_ = TRY(Segment::allocate(queue_bytes / page_size));
    const IoMem& its = *frames_;
    u64 value = gits::baser_valid | gits::inner_wb_its | gits::inner_shareable | queue_->phys() |
                (queue_bytes / page_size - 1);
    write64(its, gits::cbaser, value);
    if ((read64(its, gits::cbaser) & gits::shareability_mask) == 0) {
        return Errno::eopnotsupp;
    }
    queue_write_ = 0;
    write64(its, gits::cwriter, 0);
    return {};
}

GicIts::Command GicIts::sync() const { return {gits::cmd_sync, 0, target_, 0}; }

// Each run waits until the ITS has read all it was given, so the queue is empty when the next
// one starts and a few commands always fit.
Result<void> GicIts::push(const Command& command) {
    Array<u8, gits::command_bytes> bytes{};
    for (usize i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<u8>(command[i / 8] >> (8 * (i % 8))); // little-endian words
    }
    TRY(queue_->write(queue_write_, bytes.span()));
    queue_write_ = (queue_write_ + gits::command_bytes) % queue_bytes;
    return {};
}

Result<void> GicIts::wait_until_read(u64 offset) {
    for (u32 poll = 0; poll < max_polls; ++poll) {
        u64 creadr = frames_->read64(gits::creadr).value_or(gits::creadr_stalled);
        if ((creadr & gits::creadr_stalled) != 0) {
            return Errno::eio; // a command it could not carry out: it reads no further
        }
        if ((creadr & gits::queue_offset_mask) == offset) {
            return {};
        }
    }
    return Errno::eio;
}

Result<void> GicIts::run(Span<const Command> commands) {
    if (broken_) {
        return Errno::eio;
    }
    Result<void> done = [&]() -> Result<void> {
        for (const Command& c : commands) {
            TRY(push(c));
        }
        TRY(push(sync())); // the effects of those before are visible once it is read
        // The CWRITER write comes after the queue writes (IoMem orders it after memory).
        TRY(frames_->write64(gits::cwriter, queue_write_));
        return wait_until_read(queue_write_);
    }();
    if (done.is_error()) {
        broken_ = true;
    }
    return done;
}

Result<void> GicIts::run_one(const Command& command) {
    Array<Command, 1> one = {command};
    return run(one.span());
}

Result<usize> GicIts::device_slot(u32 device_id) {
    Optional<usize> free_slot;
    for (usize i = 0; i < itts_.size(); ++i) {
        if (itts_[i] && device_ids_[i] == device_id) {
            return i;
        }
        if (!itts_[i] && !free_slot) {
            free_slot = i;
        }
    }
    if (!free_slot) {
        return Errno::enospc;
    }
    // Whole pages: 256-byte aligned as MAPD needs.
    u64 itt_bytes = max<u64>((u64{1} << event_bits_) * itt_entry_bytes_, 256);
    Segment itt = TRY(Segment::allocate(pages_for(itt_bytes)));
    Command mapd = {gits::cmd_mapd | u64{device_id} << 32, event_bits_ - 1,
                    gits::baser_valid | (itt.phys() & itt_address_mask), 0};
    TRY(run_one(mapd));
    itts_[*free_slot] = move(itt);
    device_ids_[*free_slot] = device_id;
    return *free_slot;
}

void GicIts::write_config(u32 lpi, bool enabled) {
    Array<u8, 1> byte = {enabled ? config_enabled : config_disabled};
    static_cast<void>(config_table_->write(lpi, byte.span()));
}

u32 GicIts::line_of(u32 intid) const {
    if (!ready_ || intid < first_lpi || intid - first_lpi >= count_) {
        return irq::max_lines;
    }
    return first_line_ + (intid - first_lpi);
}

Result<u32> GicIts::allocate(u32 device_id) {
    SpinLockGuard guard(lock_);
    if (!ready_) {
        return Errno::eopnotsupp;
    }
    if (broken_) {
        return Errno::eio;
    }
    if (device_id >= device_limit_) {
        return Errno::einval;
    }
    Optional<u32> lpi;
    for (u32 k = 0; k < count_ && !lpi; ++k) {
        if (!in_use(k)) {
            lpi = k;
        }
    }
    if (!lpi) {
        return Errno::enospc;
    }
    TRY(device_slot(device_id));
    write_config(*lpi, false);
    Command mapti = {gits::cmd_mapti | u64{device_id} << 32,
                     u64{*lpi} | u64{first_lpi + *lpi} << 32, 0 /* ICID 0 */, 0};
    TRY(run_one(mapti));
    used_[*lpi / 32] |= 1u << (*lpi % 32);
    lpi_device_[*lpi] = device_id;
    return first_line_ + *lpi;
}

void GicIts::free(u32 line) {
    SpinLockGuard guard(lock_);
    Optional<u32> held = allocated_lpi(line);
    if (!held) {
        return;
    }
    u32 lpi = *held;
    write_config(lpi, false);
    u64 device = u64{lpi_device_[lpi]} << 32;
    Array<Command, 2> unmap = {Command{gits::cmd_inv | device, lpi, 0, 0},
                               Command{gits::cmd_discard | device, lpi, 0, 0}};
    // A failure leaves the ITS unused from now on; the LPI is free all the same.
    static_cast<void>(run(unmap.span()));
    used_[lpi / 32] &= ~(1u << (lpi % 32));
}

void GicIts::set_enabled(u32 line, bool enabled) {
    SpinLockGuard guard(lock_);
    Optional<u32> held = allocated_lpi(line);
    if (!held) {
        return;
    }
    u32 lpi = *held;
    write_config(lpi, enabled);
    Command inv = {gits::cmd_inv | u64{lpi_device_[lpi]} << 32, lpi, 0, 0};
    static_cast<void>(run_one(inv));
}

bool GicIts::is_enabled(u32 line) const {
    if (!owns(line)) {
        return false;
    }
    Array<u8, 1> byte{};
    static_cast<void>(config_table_->read(line - first_line_, byte.span()));
    return (byte[0] & 1) != 0;
}

irq::MsiMessage GicIts::message(u32 line) const {
    if (!owns(line)) {
        return {};
    }
    return {frames_->phys() + gits::translater, line - first_line_};
}

Result<void> GicIts::write(const irq::MsiMessage& message) const {
    if (!ready_ || message.address != frames_->phys() + gits::translater) {
        return Errno::einval;
    }
    return frames_->write32(gits::translater, message.data);
}

} // namespace keel::arch
