// The kernel side of the PCI core: the host-bridge registry, the function table enumeration
// fills once at boot, and the PciDevice handles drivers get from it.
//
// The table is written once, by enumerate, before anybody can claim; after that the records
// never change and entries never move, so a claimant reads its record without the lock. The
// lock guards who holds which function. While a function is claimed its interrupt state belongs
// to the PciDevice alone.
#include <keel/box.h>
#include <keel/cmdline.h>
#include <keel/log.h>
#include <keel/pci.h>
#include <keel/spin_lock.h>

#include <arch/pci.h>

#include "bus/pci/ecam.h"
#include "bus/pci/enumerate.h"
#include "bus/pci/host_bridge.h"
#include "io_mem_internal.h"
#include "irq/controller.h"

namespace keel {

namespace pci {
namespace {

constexpr usize max_bridges = 4;
// Vectors one function gets at most: more than any driver here asks for, and a bound on the
// table mapping.
constexpr usize max_msix_vectors = 64;

// MSI-X capability registers and table layout.
constexpr u16 msix_control = 2;
constexpr u16 msix_table = 4;
constexpr u16 msix_pba = 8;
constexpr u16 msix_enable = 1 << 15;
constexpr u16 msix_function_mask = 1 << 14;
constexpr usize msix_entry_bytes = 16;
constexpr usize msix_vector_control = 12;

// MSI capability registers.
constexpr u16 msi_control = 2;
constexpr u16 msi_address = 4;
constexpr u16 msi_enable = 1 << 0;
constexpr u16 msi_64bit = 1 << 7;
constexpr u16 msi_per_vector_mask = 1 << 8;
constexpr u16 msi_multiple_enable = 0x7 << 4;

// An MSI-X vector's mask bit, so IrqLine::enable/disable reach the device.
class MsixMask final : public irq::LineMask {
public:
    MsixMask(const IoMem& table, usize entry) : table_(&table), entry_(entry) {}
    void set_masked(bool masked) override {
        (void)table_->write32(entry_ * msix_entry_bytes + msix_vector_control, masked ? 1 : 0);
    }

private:
    const IoMem* table_;
    usize entry_;
};

// Bit 0 of an MSI capability's mask register, when the function has per-vector masking.
class MsiMask final : public irq::LineMask {
public:
    MsiMask(ConfigSpace& config, Bdf at, u16 offset) : config_(&config), at_(at), offset_(offset) {}
    void set_masked(bool masked) override {
        u32 bits = config_->read32(at_, offset_).value_or(0);
        (void)config_->write32(at_, offset_, masked ? bits | 1 : bits & ~u32{1});
    }

private:
    ConfigSpace* config_;
    Bdf at_;
    u16 offset_;
};

// What allocate_irqs set up; lives until the PciDevice ends (after the driver's IrqLines, by
// the rule in keel/pci.h, and harmlessly if not: the masks are taken off the lines first).
struct IrqState {
    Optional<IoMem> msix_table;
    Vector<MsixMask> msix_masks; // reserved up front: never reallocated once lines point at it
    Optional<MsiMask> msi_mask;
    Vector<u32> lines;
};

struct Entry {
    FunctionRecord record;
    bool claimed = false;
    PciIrqKind irq_kind = PciIrqKind::none;
    Optional<Box<IrqState>> irqs;
};

struct State {
    FixedVector<HostBridge, max_bridges> bridges;
    Array<ConfigSpace*, max_bridges> configs{};
    Vector<Box<EcamConfigSpace>> ecams;
    Vector<Entry> functions;
    bool enumerated = false;
};

constinit SpinLock lock;
[[clang::no_destroy]] constinit State state;

Entry& entry_of(usize index) { return state.functions[index]; }
const HostBridge& bridge_of(const Entry& e) { return state.bridges[e.record.bridge_index]; }
ConfigSpace& config_of(const Entry& e) { return *state.configs[e.record.bridge_index]; }

Result<u16> read_command(const Entry& e) {
    return config_of(e).read16(bdf_of(e.record.address), reg::command);
}
void update_command(const Entry& e, u16 set, u16 clear) {
    Result<u16> command = read_command(e);
    if (command.is_error()) {
        return;
    }
    u16 value = static_cast<u16>((command.value() | set) & ~clear);
    if (value != command.value()) { // a host bridge's register may not even be writable
        (void)config_of(e).write16(bdf_of(e.record.address), reg::command, value);
    }
}

struct MsixLayout {
    usize table_size = 0; // entries
    u32 table_bar = 0;
    u64 table_offset = 0;
    u32 pba_bar = 0;
    u64 pba_offset = 0;
};

Result<MsixLayout> msix_layout(const Entry& e) {
    u16 cap = e.record.msix;
    if (cap == 0) {
        return Errno::enodev;
    }
    ConfigSpace& config = config_of(e);
    Bdf at = bdf_of(e.record.address);
    u16 control = TRY(config.read16(at, static_cast<u16>(cap + msix_control)));
    u32 table = TRY(config.read32(at, static_cast<u16>(cap + msix_table)));
    u32 pba = TRY(config.read32(at, static_cast<u16>(cap + msix_pba)));
    return MsixLayout{usize{control & 0x7ffu} + 1, table & 7, table & ~u32{7}, pba & 7,
                      pba & ~u32{7}};
}

bool overlaps(u64 a, u64 a_size, u64 b, u64 b_size) { return a < b + b_size && b < a + a_size; }

// The DeviceID the function's messages carry to the interrupt controller: its requester ID
// through the host bridge's msi-map (EOPNOTSUPP when the map leaves it out: INTx then).
Result<u32> device_id_of(const Entry& e) {
    const PciAddress& a = e.record.address;
    u16 rid = static_cast<u16>(a.bus << 8 | a.device << 3 | a.function);
    return msi_device_id(bridge_of(e), rid);
}

Result<Vector<IrqLine>> allocate_msix(Entry& e, usize wanted) {
    MsixLayout layout = TRY(msix_layout(e));
    u32 device_id = TRY(device_id_of(e));
    if (layout.table_bar >= 6) {
        return Errno::einval;
    }
    const PciBar& bar = e.record.bars[layout.table_bar];
    usize count = min(min(wanted, layout.table_size), max_msix_vectors);
    usize bytes = count * msix_entry_bytes;
    if ((bar.kind != PciBarKind::memory32 && bar.kind != PciBarKind::memory64) || !bar.assigned ||
        layout.table_offset > bar.size || bytes > bar.size - layout.table_offset) {
        return Errno::einval;
    }
    Box<IrqState> irqs = TRY(make_box<IrqState>());
    irqs->msix_table = TRY(IoMem::acquire(bar.cpu_address + layout.table_offset, bytes));
    TRY(irqs->msix_masks.reserve(count));
    TRY(irqs->lines.reserve(count));
    // Declared after irqs: on an error the lines go (and take the masks off) before the masks.
    Vector<IrqLine> lines;
    TRY(lines.reserve(count));
    const IoMem& table = *irqs->msix_table;
    for (usize i = 0; i < count; ++i) {
        Result<IrqLine> line = IrqLineAccess::allocate_msi(device_id);
        if (line.is_error()) {
            if (i == 0) {
                return line.error();
            }
            break; // the controller ran out: fewer vectors than wanted
        }
        irq::MsiMessage message = IrqLineAccess::msi_message(line.value());
        usize base = i * msix_entry_bytes;
        TRY(table.write32(base + msix_vector_control, 1)); // masked until the line is enabled
        TRY(table.write32(base, static_cast<u32>(message.address)));
        TRY(table.write32(base + 4, static_cast<u32>(message.address >> 32)));
        TRY(table.write32(base + 8, message.data));
        TRY(irqs->msix_masks.push_back(MsixMask(table, i)));
        IrqLineAccess::set_mask(line.value(), &irqs->msix_masks.back());
        TRY(irqs->lines.push_back(line.value().number()));
        TRY(lines.push_back(line.release_value()));
    }
    ConfigSpace& config = config_of(e);
    Bdf at = bdf_of(e.record.address);
    u16 control_at = static_cast<u16>(e.record.msix + msix_control);
    u16 control = TRY(config.read16(at, control_at));
    TRY(config.write16(at, control_at, control | msix_enable | msix_function_mask));
    TRY(config.write16(at, control_at, (control | msix_enable) & ~msix_function_mask));
    update_command(e, command::intx_disable, 0);
    e.irqs = move(irqs);
    e.irq_kind = PciIrqKind::msix;
    return lines;
}

Result<Vector<IrqLine>> allocate_msi(Entry& e) {
    u16 cap = e.record.msi;
    if (cap == 0) {
        return Errno::enodev;
    }
    u32 device_id = TRY(device_id_of(e));
    ConfigSpace& config = config_of(e);
    Bdf at = bdf_of(e.record.address);
    u16 control_at = static_cast<u16>(cap + msi_control);
    u16 control = TRY(config.read16(at, control_at));
    bool wide = (control & msi_64bit) != 0;
    Box<IrqState> irqs = TRY(make_box<IrqState>());
    TRY(irqs->lines.reserve(1));
    Vector<IrqLine> lines;
    TRY(lines.reserve(1));
    IrqLine line = TRY(IrqLineAccess::allocate_msi(device_id));
    irq::MsiMessage message = IrqLineAccess::msi_message(line);
    if (!wide && (message.address >> 32) != 0) {
        return Errno::einval; // a 32-bit function cannot reach the controller's doorbell
    }
    u16 data_at = static_cast<u16>(cap + (wide ? 0xc : 0x8));
    u16 mask_at = static_cast<u16>(cap + (wide ? 0x10 : 0xc));
    TRY(config.write32(at, static_cast<u16>(cap + msi_address), static_cast<u32>(message.address)));
    if (wide) {
        TRY(config.write32(at, static_cast<u16>(cap + msi_address + 4),
                           static_cast<u32>(message.address >> 32)));
    }
    TRY(config.write16(at, data_at, static_cast<u16>(message.data)));
    if ((control & msi_per_vector_mask) != 0) {
        irqs->msi_mask = MsiMask(config, at, mask_at);
        irqs->msi_mask->set_masked(true);
        IrqLineAccess::set_mask(line, &*irqs->msi_mask);
    }
    TRY(irqs->lines.push_back(line.number()));
    TRY(lines.push_back(move(line)));
    // One vector: Multiple Message Enable 0.
    TRY(config.write16(at, control_at,
                       static_cast<u16>((control & ~msi_multiple_enable) | msi_enable)));
    update_command(e, command::intx_disable, 0);
    e.irqs = move(irqs);
    e.irq_kind = PciIrqKind::msi;
    return lines;
}

// `pci=nomsi` (Linux's option; `pci=` takes a comma-separated list): INTx for every function.
bool msi_disabled() {
    bool off = false;
    command_line().for_each([&](const CommandLine::Word& w) {
        if (w.key != "pci" || !w.value) {
            return;
        }
        StringView rest = *w.value;
        while (!rest.empty()) {
            usize comma = rest.find(',');
            StringView option = rest.substr(0, comma);
            off = off || option == "nomsi";
            rest = comma == StringView::npos ? StringView() : rest.substr(comma + 1);
        }
    });
    return off;
}

Result<Vector<IrqLine>> allocate_intx(Entry& e) {
    Optional<IntxKey> key = intx_key(e.record);
    if (!key) {
        return Errno::enodev;
    }
    Optional<IrqSource> source = intx_route(bridge_of(e), *key);
    if (!source) {
        return Errno::enodev;
    }
    Vector<IrqLine> lines;
    TRY(lines.reserve(1));
    TRY(lines.push_back(TRY(IrqLine::acquire_shared(*source))));
    update_command(e, 0, command::intx_disable);
    e.irq_kind = PciIrqKind::intx;
    return lines;
}

// Turns the function's message interrupts off and takes the masks off the lines, so nothing
// reaches the IrqState once it is gone.
void release_irqs(Entry& e) {
    if (e.irqs) {
        IrqState& irqs = **e.irqs;
        for (usize i = 0; i < irqs.lines.size(); ++i) {
            irq::LineMask* mask = nullptr;
            if (i < irqs.msix_masks.size()) {
                mask = &irqs.msix_masks[i];
            } else if (irqs.msi_mask) {
                mask = &*irqs.msi_mask;
            }
            IrqLineAccess::clear_mask(irqs.lines[i], mask);
        }
    }
    ConfigSpace& config = config_of(e);
    Bdf at = bdf_of(e.record.address);
    if (e.irq_kind == PciIrqKind::msix) {
        u16 control_at = static_cast<u16>(e.record.msix + msix_control);
        u16 control = config.read16(at, control_at).value_or(0);
        (void)config.write16(at, control_at,
                             static_cast<u16>((control | msix_function_mask) & ~msix_enable));
    } else if (e.irq_kind == PciIrqKind::msi) {
        u16 control_at = static_cast<u16>(e.record.msi + msi_control);
        u16 control = config.read16(at, control_at).value_or(0);
        (void)config.write16(at, control_at, static_cast<u16>(control & ~msi_enable));
    }
    e.irqs.reset();
    e.irq_kind = PciIrqKind::none;
}

// Maps a bridge's ECAM lazily and keeps the range from drivers.
bool attach_ecam(const HostBridge& bridge, usize i) {
    usize buses = usize{bridge.bus_end} - bridge.bus_start + 1;
    // The configuration space is the framework's: drivers read it through PciDevice only.
    if (claim_device_range(bridge.ecam_base, u64{buses} << 20).is_error()) {
        log::warn("pci: could not reserve the ECAM window at {:#x}", bridge.ecam_base);
    }
    Result<Box<EcamConfigSpace>> ecam =
        make_box<EcamConfigSpace>(bridge.ecam_base, bridge.bus_start, bridge.bus_end);
    if (ecam.is_error() || state.ecams.push_back(ecam.release_value()).is_error()) {
        log::error("pci: out of memory for host bridge {:04x}", bridge.segment);
        return false;
    }
    state.configs[i] = &*state.ecams.back();
    return true;
}

} // namespace

Result<void> register_host_bridge(const HostBridge& bridge) {
    SpinLockGuard guard(lock);
    if (state.enumerated) {
        return Errno::ebusy;
    }
    return state.bridges.push(bridge);
}

usize host_bridge_count() {
    SpinLockGuard guard(lock);
    return state.bridges.size();
}

void enumerate() {
    usize bridge_count = 0;
    {
        SpinLockGuard guard(lock);
        if (state.enumerated) {
            return;
        }
        state.enumerated = true; // no more bridges; a second call does nothing
        bridge_count = state.bridges.size();
    }
    // Unlocked from here: the bridges no longer change, and nobody reads the table until it
    // is published below.
    Vector<FunctionRecord> records;
    for (usize i = 0; i < bridge_count; ++i) {
        const HostBridge& bridge = state.bridges[i];
        if (bridge.ecam_base == 0) {
            // No MCFG: the legacy ports where the arch has them (x86), 256 bytes a function.
            state.configs[i] = arch::pci_legacy_config();
            if (state.configs[i] == nullptr) {
                log::warn("pci: host bridge {:04x} without ECAM ignored", bridge.segment);
                continue;
            }
            log::info("pci: host bridge {:04x} through the legacy configuration ports",
                      bridge.segment);
        } else if (!attach_ecam(bridge, i)) {
            continue;
        }
        Result<WalkStats> walked =
            enumerate_bridge(*state.configs[i], bridge, static_cast<u8>(i), records);
        if (walked.is_error()) {
            log::error("pci: enumeration of {:04x} stopped: {}", bridge.segment, walked.error());
        }
    }
    Vector<Entry> entries;
    if (entries.reserve(records.size()).is_error()) {
        log::error("pci: out of memory for the function table");
        return;
    }
    for (const FunctionRecord& r : records) {
        Entry e;
        e.record = r;
        (void)entries.push_back(move(e)); // reserved
    }
    log::info("pci: {} functions on {} host bridges{}", entries.size(), bridge_count,
              msi_disabled() ? StringView(" (pci=nomsi: INTx for every function)")
                             : StringView(""));
    SpinLockGuard guard(lock);
    state.functions = move(entries);
}

usize function_count() {
    SpinLockGuard guard(lock);
    return state.functions.size();
}

Optional<PciFunctionInfo> function_info(usize index) {
    SpinLockGuard guard(lock);
    if (index >= state.functions.size()) {
        return none;
    }
    const Entry& e = state.functions[index];
    return PciFunctionInfo{e.record.address, e.record.identity, e.claimed};
}

} // namespace pci

struct PciDeviceAccess {
    static PciDevice make(usize index) { return PciDevice(index); }
};

namespace pci {

Result<PciDevice> claim(usize index) {
    {
        SpinLockGuard guard(lock);
        if (index >= state.functions.size()) {
            return Errno::enoent;
        }
        Entry& e = state.functions[index];
        if (e.claimed) {
            return Errno::ebusy;
        }
        e.claimed = true;
    }
    return PciDeviceAccess::make(index);
}

} // namespace pci

using pci::entry_of;

PciDevice::PciDevice(PciDevice&& other) noexcept : index_(other.index_) {
    other.index_ = none_claimed;
}

PciDevice::~PciDevice() {
    if (index_ == none_claimed) {
        return;
    }
    pci::Entry& e = entry_of(index_);
    pci::release_irqs(e);
    pci::update_command(e, 0, pci::command::bus_master);
    SpinLockGuard guard(pci::lock);
    e.claimed = false;
}

PciAddress PciDevice::address() const { return entry_of(index_).record.address; }
const PciIdentity& PciDevice::identity() const { return entry_of(index_).record.identity; }

namespace {
Result<u32> config_read(usize index, u16 offset, u32 width) {
    if (offset % width != 0 || u32{offset} + width > 4096) {
        return Errno::einval;
    }
    const pci::Entry& e = entry_of(index);
    return pci::config_of(e).read(pci::bdf_of(e.record.address), offset, width);
}
} // namespace

Result<u8> PciDevice::config_read8(u16 offset) const {
    return static_cast<u8>(TRY(config_read(index_, offset, 1)));
}
Result<u16> PciDevice::config_read16(u16 offset) const {
    return static_cast<u16>(TRY(config_read(index_, offset, 2)));
}
Result<u32> PciDevice::config_read32(u16 offset) const { return config_read(index_, offset, 4); }

Vector<u16> PciDevice::capabilities(u8 id) const {
    const pci::Entry& e = entry_of(index_);
    Vector<u16> found;
    for (const pci::Capability& cap :
         pci::walk_capabilities(pci::config_of(e), pci::bdf_of(e.record.address))) {
        if (cap.id == id && found.push_back(cap.offset).is_error()) {
            break;
        }
    }
    return found;
}

PciBar PciDevice::bar(u32 index) const {
    return index < 6 ? entry_of(index_).record.bars[index] : PciBar{};
}

Result<IoMem> PciDevice::map_bar(u32 index, u64 offset, usize size) const {
    PciBar b = bar(index);
    if ((b.kind != PciBarKind::memory32 && b.kind != PciBarKind::memory64) || !b.assigned) {
        return Errno::enxio;
    }
    if (size == 0 || offset >= b.size || size > b.size - offset) {
        return Errno::einval;
    }
    const pci::Entry& e = entry_of(index_);
    if (e.record.msix != 0) {
        Result<pci::MsixLayout> layout = pci::msix_layout(e);
        if (layout.is_error()) {
            return Errno::eperm; // cannot tell where the table is: keep the whole function's
        }
        const pci::MsixLayout& l = layout.value();
        u64 pba_bytes = (u64{l.table_size} + 63) / 64 * 8;
        if ((l.table_bar == index &&
             pci::overlaps(offset, size, l.table_offset, l.table_size * pci::msix_entry_bytes)) ||
            (l.pba_bar == index && pci::overlaps(offset, size, l.pba_offset, pba_bytes))) {
            return Errno::eperm;
        }
    }
    return IoMem::acquire(b.cpu_address + offset, size);
}

void PciDevice::enable_bus_mastering() {
    pci::update_command(entry_of(index_), pci::command::bus_master, 0);
}

Result<Vector<IrqLine>> PciDevice::allocate_irqs(usize wanted) {
    pci::Entry& e = entry_of(index_);
    if (wanted == 0) {
        return Errno::einval;
    }
    if (e.irq_kind != PciIrqKind::none) {
        return Errno::ebusy;
    }
    // MSI-X, then MSI, then INTx: a controller without message support (EOPNOTSUPP) or a
    // function whose capability cannot be used falls through to the next.
    bool messages = !pci::msi_disabled();
    if (messages && e.record.msix != 0) {
        Result<Vector<IrqLine>> lines = pci::allocate_msix(e, wanted);
        if (lines.ok()) {
            return lines;
        }
        log::debug("pci: MSI-X unavailable ({}), trying MSI", lines.error());
    }
    if (messages && e.record.msi != 0) {
        Result<Vector<IrqLine>> lines = pci::allocate_msi(e);
        if (lines.ok()) {
            return lines;
        }
        log::debug("pci: MSI unavailable ({}), trying INTx", lines.error());
    }
    return pci::allocate_intx(e);
}

PciIrqKind PciDevice::irq_kind() const { return entry_of(index_).irq_kind; }

DmaSpace PciDevice::dma_space() const { return pci::bridge_of(entry_of(index_)).dma; }

} // namespace keel
