#include <keel/ktl/utility.h>
#include <keel/log.h>

#include "bus/pci/enumerate.h"

namespace keel::pci {

namespace {

constexpr u64 mib = u64{1} << 20;
constexpr u64 io_granule = 0x1000;
// Memory BARs get at least a page of their own, so no two functions share one (a mapping of one
// never reaches another's registers).
constexpr u64 min_memory_bar = 0x1000;
constexpr usize max_firmware_ranges = 128;

struct Range {
    u64 base = 0;
    u64 end = 0; // exclusive
};

bool checked_align_up(u64 v, u64 align, u64& out) {
    u64 bumped = 0;
    if (!checked_add(v, align - 1, bumped)) {
        return false;
    }
    out = align_down(bumped, align);
    return true;
}

// Hands out bus addresses from one host-bridge window. The cursor only moves up, so whatever a
// bridge gets below it is one run its window can cover; ranges the firmware assigned already
// (x86) are stepped over.
class WindowAllocator {
public:
    explicit WindowAllocator(const Window& window) : window_(window), cursor_(window.pci_base) {
        if (!checked_add(window.pci_base, window.size, end_)) {
            window_.size = 0; // a window that wraps is no window
        }
    }

    bool present() const { return window_.size != 0; }
    u64 cursor() const { return cursor_; }

    // Keeps the first bytes out of use (legacy I/O ports below 0x1000).
    void skip_to(u64 offset) {
        if (present() && offset < window_.size) {
            cursor_ = max(cursor_, window_.pci_base + offset);
        }
    }

    // Moves the cursor to the next granule boundary (a bridge window's edge).
    void align_cursor(u64 granule) {
        u64 aligned = 0;
        cursor_ = checked_align_up(cursor_, granule, aligned) ? min(aligned, end_) : end_;
    }

    Optional<u64> allocate(u64 size, u64 align) {
        if (!present() || size == 0) {
            return none;
        }
        u64 at = cursor_;
        // Each firmware range can push the candidate past itself at most once.
        for (usize round = 0; round <= used_.size(); ++round) {
            u64 base = 0;
            u64 end = 0;
            if (!checked_align_up(at, align, base) || !checked_add(base, size, end) || end > end_) {
                return none;
            }
            Optional<u64> clash;
            for (const Range& r : used_) {
                if (base < r.end && r.base < end) {
                    clash = r.end;
                    break;
                }
            }
            if (!clash) {
                cursor_ = end;
                return base;
            }
            at = *clash;
        }
        return none;
    }

    bool contains(u64 bus_address, u64 size) const {
        u64 end = 0;
        return present() && bus_address >= window_.pci_base &&
               checked_add(bus_address, size, end) && end <= end_;
    }
    u64 to_cpu(u64 bus_address) const {
        return window_.cpu_base + (bus_address - window_.pci_base);
    }

    void reserve(u64 base, u64 size) {
        if (used_.push({base, base + size}).is_error()) {
            log::warn("pci: too many firmware ranges to track; later BARs may not be filled");
        }
    }

private:
    Window window_;
    u64 cursor_ = 0;
    u64 end_ = 0;
    FixedVector<Range, max_firmware_ranges> used_;
};

struct AddressText {
    FixedString<24> text;
};

AddressText address_text(const PciAddress& a) {
    AddressText t;
    format(t.text, "{:04x}:{:02x}:{:02x}.{}", a.segment, a.bus, a.device, a.function);
    return t;
}

bool is_memory(PciBarKind kind) {
    return kind == PciBarKind::memory32 || kind == PciBarKind::memory64;
}

class Walker {
public:
    Walker(ConfigSpace& config, const HostBridge& bridge, u8 bridge_index,
           Vector<FunctionRecord>& out)
        : config_(config), bridge_(bridge), bridge_index_(bridge_index), out_(out),
          mem32_(bridge.mem32), mem64_(bridge.mem64), io_(bridge.io) {
        next_bus_ = bridge.bus_start;
        io_.skip_to(io_granule);
    }

    Result<WalkStats> run() {
        usize first = out_.size();
        FixedVector<u8, max_depth + 1> path;
        TRY(walk_bus(bridge_.bus_start, path));
        if (!bridge_.assign_resources) {
            fill_zero_bars(first);
        }
        sort_from(first);
        for (usize i = first; i < out_.size(); ++i) {
            log_function(out_[i]);
        }
        stats_.functions = out_.size() - first;
        return stats_;
    }

private:
    Result<void> walk_bus(u8 bus, const FixedVector<u8, max_depth + 1>& path) {
        visited_[bus] = true;
        for (u8 device = 0; device < 32; ++device) {
            Bdf at{bus, device, 0};
            if (!present(at)) {
                continue;
            }
            Result<u8> header = config_.read8(at, reg::header_type);
            u8 functions = header.ok() && (header.value() & 0x80) != 0 ? 8 : 1;
            for (u8 function = 0; function < functions; ++function) {
                at.function = function;
                if (function == 0 || present(at)) {
                    TRY(probe(at, path));
                }
            }
        }
        return {};
    }

    bool present(Bdf at) {
        Result<u16> vendor = config_.read16(at, reg::vendor);
        return vendor.ok() && vendor.value() != 0xffff && vendor.value() != 0;
    }

    void skip(const PciAddress& address, StringView why) {
        log::warn("pci {}: {}; skipped", address_text(address).text.view(), why);
        ++stats_.skipped;
    }

    Result<void> probe(Bdf at, const FixedVector<u8, max_depth + 1>& above) {
        FunctionRecord r;
        r.address = {bridge_.segment, at.bus, at.device, at.function};
        r.bridge_index = bridge_index_;
        Result<u32> id = config_.read32(at, reg::vendor);
        Result<u32> class_rev = config_.read32(at, reg::revision);
        Result<u8> header = config_.read8(at, reg::header_type);
        if (id.is_error() || class_rev.is_error() || header.is_error()) {
            skip(r.address, "configuration space unreadable");
            return {};
        }
        r.identity.vendor = static_cast<u16>(id.value());
        r.identity.device = static_cast<u16>(id.value() >> 16);
        r.identity.revision = static_cast<u8>(class_rev.value());
        r.identity.prog_if = static_cast<u8>(class_rev.value() >> 8);
        r.identity.subclass = static_cast<u8>(class_rev.value() >> 16);
        r.identity.class_code = static_cast<u8>(class_rev.value() >> 24);
        r.header_type = header.value() & 0x7f;
        if (r.header_type != header_endpoint && r.header_type != header_bridge) {
            FixedString<48> why;
            format(why, "header type {:#x} not handled", r.header_type);
            skip(r.address, why.view());
            return {};
        }
        r.path = above;
        if (r.path.push(at.device).is_error()) {
            skip(r.address, "too many bridges above");
            return {};
        }
        if (r.header_type == header_endpoint) {
            r.identity.subsystem_vendor = config_.read16(at, reg::subsystem_vendor).value_or(0);
            r.identity.subsystem = config_.read16(at, reg::subsystem).value_or(0);
        }
        u8 pin = config_.read8(at, reg::interrupt_pin).value_or(0);
        r.interrupt_pin = pin <= 4 ? pin : 0;

        FixedVector<Capability, max_capabilities> caps = walk_capabilities(config_, at);
        for (const Capability& cap : caps) {
            if (cap.id == cap_msi && r.msi == 0) {
                r.msi = cap.offset;
            } else if (cap.id == cap_msix && r.msix == 0) {
                r.msix = cap.offset;
            }
        }

        usize bar_count = r.header_type == header_endpoint ? 6 : 2;
        size_bars(at, r, bar_count);
        place_bars(at, r, bar_count);
        if (r.header_type == header_endpoint) {
            enable_decoding(at, r);
            return out_.push_back(r);
        }
        TRY(out_.push_back(r));
        return walk_bridge(at, r);
    }

    // Sizes each BAR with decoding off, so the all-ones probe never decodes as an address.
    void size_bars(Bdf at, FunctionRecord& r, usize count) {
        Result<u16> command = config_.read16(at, reg::command);
        if (command.is_error()) {
            return;
        }
        (void)config_.write16(at, reg::command, command.value() & ~(command::io | command::memory));
        for (usize i = 0; i < count; ++i) {
            u16 offset = static_cast<u16>(reg::bar0 + 4 * i);
            Optional<u32> probe = probe_register(at, offset);
            Result<u32> original = config_.read32(at, offset);
            if (!probe || original.is_error() || *probe == 0) {
                continue;
            }
            PciBar& bar = r.bars[i];
            u32 lo = original.value();
            if ((*probe & 1) != 0) {
                u32 mask = *probe & ~u32{3};
                if ((mask & 0xffff0000) == 0) {
                    mask |= 0xffff0000; // a 16-bit decoder: the upper bits read 0
                }
                bar = {PciBarKind::io, false, false, u64{static_cast<u32>(~mask + 1)}, 0};
                r.bar_bus_address[i] = lo & ~u32{3};
            } else {
                u32 type = (*probe >> 1) & 3;
                bool prefetchable = (*probe & 8) != 0;
                if (type == 2) {
                    if (i + 1 >= count) {
                        log_bar_problem(r, i, "64-bit BAR in the last slot");
                        continue;
                    }
                    Optional<u32> probe_hi = probe_register(at, static_cast<u16>(offset + 4));
                    u32 hi = config_.read32(at, static_cast<u16>(offset + 4)).value_or(0);
                    if (!probe_hi) {
                        ++i; // the upper half is no BAR of its own either
                        continue;
                    }
                    u64 mask = (u64{*probe_hi} << 32) | (*probe & ~u32{0xf});
                    bar = {PciBarKind::memory64, prefetchable, false, ~mask + 1, 0};
                    r.bar_bus_address[i] = (u64{hi} << 32) | (lo & ~u32{0xf});
                } else if (type == 3) {
                    log_bar_problem(r, i, "reserved memory type");
                    continue;
                } else {
                    u32 mask = *probe & ~u32{0xf};
                    bar = {PciBarKind::memory32, prefetchable, false,
                           u64{static_cast<u32>(~mask + 1)}, 0};
                    r.bar_bus_address[i] = lo & ~u32{0xf};
                }
            }
            bool wide = bar.kind == PciBarKind::memory64;
            if (!is_power_of_two(bar.size)) {
                log_bar_problem(r, i, "size is not a power of two");
                bar = {};
                r.bar_bus_address[i] = 0;
            }
            if (wide) {
                ++i; // the upper half; stays none (also when the BAR was refused)
            }
        }
        (void)config_.write16(at, reg::command, command.value());
    }

    // Writes all ones, reads back what sticks, restores the register.
    Optional<u32> probe_register(Bdf at, u16 offset) {
        Result<u32> original = config_.read32(at, offset);
        if (original.is_error() || config_.write32(at, offset, ~u32{0}).is_error()) {
            return none;
        }
        Result<u32> probe = config_.read32(at, offset);
        (void)config_.write32(at, offset, original.value());
        if (probe.is_error()) {
            return none;
        }
        return probe.value();
    }

    void log_bar_problem(const FunctionRecord& r, usize index, StringView why) {
        log::warn("pci {} BAR{}: {}; ignored", address_text(r.address).text.view(), index, why);
    }

    WindowAllocator& allocator_for(const PciBar& bar) {
        if (bar.kind == PciBarKind::io) {
            return io_;
        }
        if (bar.kind == PciBarKind::memory64 && bar.prefetchable && mem64_.present() &&
            mem64_reachable_) {
            return mem64_;
        }
        return mem32_;
    }

    // Gives each BAR an address (assign_resources), or keeps the firmware's and notes it.
    void place_bars(Bdf at, FunctionRecord& r, usize count) {
        for (usize i = 0; i < count; ++i) {
            PciBar& bar = r.bars[i];
            if (bar.kind == PciBarKind::none) {
                continue;
            }
            if (!bridge_.assign_resources) {
                keep_firmware_bar(r, i);
                continue;
            }
            assign_bar(at, r, i);
        }
    }

    void keep_firmware_bar(FunctionRecord& r, usize i) {
        PciBar& bar = r.bars[i];
        u64 bus_address = r.bar_bus_address[i];
        if (bus_address == 0) {
            return; // filled after the walk, once every firmware range is known
        }
        WindowAllocator* holder = nullptr;
        Array<WindowAllocator*, 3> windows{&mem32_, &mem64_, &io_};
        for (WindowAllocator* w : windows) {
            if (w->contains(bus_address, bar.size)) {
                holder = w;
            }
        }
        // Without windows (x86 without _CRS) the firmware's address is the CPU's.
        bar.cpu_address = holder != nullptr ? holder->to_cpu(bus_address) : bus_address;
        bar.assigned = true;
        if (holder != nullptr) {
            holder->reserve(bus_address, bar.size);
        }
    }

    bool assign_bar(Bdf at, FunctionRecord& r, usize i) {
        PciBar& bar = r.bars[i];
        WindowAllocator& window = allocator_for(bar);
        u64 size = is_memory(bar.kind) ? max(bar.size, min_memory_bar) : bar.size;
        Optional<u64> placed = window.allocate(size, size);
        if (!placed) {
            FixedString<64> why;
            format(why, "no room for {:#x} bytes; left unassigned", bar.size);
            log::warn("pci {} BAR{}: {}", address_text(r.address).text.view(), i, why.view());
            return false;
        }
        u16 offset = static_cast<u16>(reg::bar0 + 4 * i);
        (void)config_.write32(at, offset, static_cast<u32>(*placed));
        if (bar.kind == PciBarKind::memory64) {
            (void)config_.write32(at, static_cast<u16>(offset + 4),
                                  static_cast<u32>(*placed >> 32));
        }
        r.bar_bus_address[i] = *placed;
        bar.cpu_address = window.to_cpu(*placed);
        bar.assigned = true;
        return true;
    }

    // Decoding on for the kinds whose BARs all got addresses; a kind with a BAR left without
    // one stays off (it would decode at whatever the register holds), and its BARs are marked
    // unassigned so nobody maps a window that does not answer.
    void enable_decoding(Bdf at, FunctionRecord& r) {
        bool memory = false;
        bool io = false;
        bool memory_missing = false;
        bool io_missing = false;
        for (const PciBar& bar : r.bars) {
            if (is_memory(bar.kind)) {
                (bar.assigned ? memory : memory_missing) = true;
            } else if (bar.kind == PciBarKind::io) {
                (bar.assigned ? io : io_missing) = true;
            }
        }
        for (PciBar& bar : r.bars) {
            if ((is_memory(bar.kind) && memory_missing) ||
                (bar.kind == PciBarKind::io && io_missing)) {
                bar.assigned = false;
            }
        }
        Result<u16> command = config_.read16(at, reg::command);
        if (command.is_error()) {
            return;
        }
        u16 value = command.value();
        if (memory && !memory_missing) {
            value |= command::memory;
        } else if (memory_missing) {
            value &= ~command::memory;
        }
        if (io && !io_missing) {
            value |= command::io;
        } else if (io_missing) {
            value &= ~command::io;
        }
        (void)config_.write16(at, reg::command, value);
    }

    Result<void> walk_bridge(Bdf at, const FunctionRecord& r) {
        if (r.path.size() > max_depth) {
            skip(r.address, "bridge too deep; what is behind it");
            return {};
        }
        if (!bridge_.assign_resources) {
            u8 secondary = config_.read8(at, reg::secondary_bus).value_or(0);
            u8 subordinate = config_.read8(at, reg::subordinate_bus).value_or(0);
            if (secondary <= at.bus || secondary > bridge_.bus_end || subordinate < secondary ||
                visited_[secondary]) {
                if (secondary != 0) {
                    skip(r.address, "bridge bus numbers make no sense; what is behind it");
                }
                return {};
            }
            return walk_bus(secondary, r.path);
        }
        if (next_bus_ >= bridge_.bus_end) {
            skip(r.address, "no bus number left; what is behind it");
            return {};
        }
        u8 secondary = static_cast<u8>(++next_bus_);
        // Forward everything up to bus_end while the walk below runs, then close it down.
        u32 numbers = config_.read32(at, reg::primary_bus).value_or(0);
        numbers =
            (numbers & 0xff000000) | (u32{bridge_.bus_end} << 16) | (u32{secondary} << 8) | at.bus;
        (void)config_.write32(at, reg::primary_bus, numbers);

        mem32_.align_cursor(mib);
        mem64_.align_cursor(mib);
        io_.align_cursor(io_granule);
        u64 mem_start = mem32_.cursor();
        u64 pref_start = mem64_.cursor();
        u64 io_start = io_.cursor();
        // A bridge whose prefetchable window has no upper half cannot forward mem64 addresses.
        bool saved_reach = mem64_reachable_;
        u16 pref_caps = config_.read16(at, reg::prefetch_base).value_or(0);
        mem64_reachable_ = saved_reach && (pref_caps & 0xf) == 1;

        Result<void> walked = walk_bus(secondary, r.path);
        mem64_reachable_ = saved_reach;

        (void)config_.write8(at, reg::subordinate_bus, static_cast<u8>(next_bus_));
        mem32_.align_cursor(mib);
        mem64_.align_cursor(mib);
        io_.align_cursor(io_granule);
        program_windows(at, mem_start, mem32_.cursor(), pref_start, mem64_.cursor(), io_start,
                        io_.cursor());
        u16 command = config_.read16(at, reg::command).value_or(0);
        (void)config_.write16(at, reg::command,
                              command | command::memory | command::io | command::bus_master);
        return walked;
    }

    // Base/limit registers; an empty window is base above limit.
    void program_windows(Bdf at, u64 mem_start, u64 mem_end, u64 pref_start, u64 pref_end,
                         u64 io_start, u64 io_end) {
        if (mem_end > mem_start) {
            (void)config_.write16(at, reg::memory_base,
                                  static_cast<u16>((mem_start >> 16) & 0xfff0));
            (void)config_.write16(at, reg::memory_limit,
                                  static_cast<u16>(((mem_end - 1) >> 16) & 0xfff0));
        } else {
            (void)config_.write16(at, reg::memory_base, 0xfff0);
            (void)config_.write16(at, reg::memory_limit, 0);
        }
        if (pref_end > pref_start) {
            (void)config_.write16(at, reg::prefetch_base,
                                  static_cast<u16>((pref_start >> 16) & 0xfff0));
            (void)config_.write16(at, reg::prefetch_limit,
                                  static_cast<u16>(((pref_end - 1) >> 16) & 0xfff0));
            (void)config_.write32(at, reg::prefetch_base_upper, static_cast<u32>(pref_start >> 32));
            (void)config_.write32(at, reg::prefetch_limit_upper,
                                  static_cast<u32>((pref_end - 1) >> 32));
        } else {
            (void)config_.write16(at, reg::prefetch_base, 0xfff0);
            (void)config_.write16(at, reg::prefetch_limit, 0);
            (void)config_.write32(at, reg::prefetch_base_upper, 0);
            (void)config_.write32(at, reg::prefetch_limit_upper, 0);
        }
        if (io_end > io_start) {
            (void)config_.write8(at, reg::io_base, static_cast<u8>((io_start >> 8) & 0xf0));
            (void)config_.write8(at, reg::io_limit, static_cast<u8>(((io_end - 1) >> 8) & 0xf0));
            (void)config_.write16(at, reg::io_base_upper, static_cast<u16>(io_start >> 16));
            (void)config_.write16(at, reg::io_limit_upper, static_cast<u16>((io_end - 1) >> 16));
        } else {
            (void)config_.write8(at, reg::io_base, 0xf0);
            (void)config_.write8(at, reg::io_limit, 0);
            (void)config_.write16(at, reg::io_base_upper, 0);
            (void)config_.write16(at, reg::io_limit_upper, 0);
        }
    }

    // Firmware-assigned buses (x86): BARs the firmware left at 0 get room the firmware did not
    // use, on the root bus only - behind a bridge they would have to fit the firmware's window,
    // which this does not try.
    void fill_zero_bars(usize first) {
        for (usize i = first; i < out_.size(); ++i) {
            FunctionRecord& r = out_[i];
            bool filled = false;
            for (usize b = 0; b < r.bars.size(); ++b) {
                const PciBar& bar = r.bars[b];
                if (bar.kind == PciBarKind::none || bar.assigned) {
                    continue;
                }
                if (r.address.bus != bridge_.bus_start) {
                    log_bar_problem(r, b, "left at 0 by the firmware behind a bridge");
                    continue;
                }
                filled = assign_bar(bdf_of(r.address), r, b) || filled;
            }
            if (filled && r.header_type == header_endpoint) {
                enable_decoding(bdf_of(r.address), r);
            }
        }
    }

    static bool before(const PciAddress& a, const PciAddress& b) {
        if (a.bus != b.bus) {
            return a.bus < b.bus;
        }
        if (a.device != b.device) {
            return a.device < b.device;
        }
        return a.function < b.function;
    }

    // Insertion sort: a few dozen functions, already nearly in order.
    void sort_from(usize first) {
        for (usize i = first + 1; i < out_.size(); ++i) {
            FunctionRecord moving = out_[i];
            usize j = i;
            while (j > first && before(moving.address, out_[j - 1].address)) {
                out_[j] = out_[j - 1];
                --j;
            }
            out_[j] = moving;
        }
    }

    void log_function(const FunctionRecord& r) {
        AddressText at = address_text(r.address);
        const PciIdentity& id = r.identity;
        log::info("pci {} [{:04x}:{:04x}] class {:02x}.{:02x}.{:02x} rev {:02x}", at.text.view(),
                  id.vendor, id.device, id.class_code, id.subclass, id.prog_if, id.revision);
        for (usize i = 0; i < r.bars.size(); ++i) {
            const PciBar& bar = r.bars[i];
            if (bar.kind == PciBarKind::none) {
                continue;
            }
            StringView pref = bar.prefetchable ? StringView(" pref") : StringView("");
            if (bar.assigned) {
                log::info("pci {} BAR{} {}{} [{:#x}-{:#x}]", at.text.view(), i,
                          bar_kind_name(bar.kind), pref, bar.cpu_address,
                          bar.cpu_address + bar.size - 1);
            } else {
                log::info("pci {} BAR{} {}{} size {:#x} unassigned", at.text.view(), i,
                          bar_kind_name(bar.kind), pref, bar.size);
            }
        }
    }

    ConfigSpace& config_;
    const HostBridge& bridge_;
    u8 bridge_index_;
    Vector<FunctionRecord>& out_;
    WindowAllocator mem32_;
    WindowAllocator mem64_;
    WindowAllocator io_;
    bool mem64_reachable_ = true;
    u32 next_bus_ = 0; // the last bus number given out
    Array<bool, 256> visited_{};
    WalkStats stats_;
};

} // namespace

StringView bar_kind_name(PciBarKind kind) {
    switch (kind) {
    case PciBarKind::memory32:
        return "mem32";
    case PciBarKind::memory64:
        return "mem64";
    case PciBarKind::io:
        return "io";
    case PciBarKind::none:
        break;
    }
    return "none";
}

Result<WalkStats> enumerate_bridge(ConfigSpace& config, const HostBridge& bridge, u8 bridge_index,
                                   Vector<FunctionRecord>& out) {
    if (bridge.bus_end < bridge.bus_start) {
        log::warn("pci: host bridge with buses {:02x}-{:02x} ignored", bridge.bus_start,
                  bridge.bus_end);
        return WalkStats{};
    }
    Walker walker(config, bridge, bridge_index, out);
    return walker.run();
}

FixedVector<Capability, max_capabilities> walk_capabilities(ConfigSpace& config, Bdf at) {
    FixedVector<Capability, max_capabilities> caps;
    Result<u16> status = config.read16(at, reg::status);
    if (status.is_error() || status.value() == 0xffff ||
        (status.value() & status_capabilities) == 0) {
        return caps;
    }
    Array<bool, 64> seen{}; // one per dword of the 256-byte header space
    // The low two bits of every pointer are reserved (PCI 3.0, 6.7): masked, as Linux does.
    constexpr u8 pointer_mask = 0xfc;
    u8 pointer = config.read8(at, reg::capabilities).value_or(0) & pointer_mask;
    while (pointer != 0 && !caps.full()) {
        if (pointer < 0x40 || seen[pointer / 4]) {
            break; // into the header, or a loop
        }
        seen[pointer / 4] = true;
        Result<u8> id = config.read8(at, pointer);
        Result<u8> next = config.read8(at, static_cast<u16>(pointer + 1));
        if (id.is_error() || next.is_error()) {
            break;
        }
        (void)caps.push({id.value(), pointer});
        pointer = next.value() & pointer_mask;
    }
    return caps;
}

Optional<IntxKey> intx_key(const FunctionRecord& function) {
    u8 pin = function.interrupt_pin;
    if (pin == 0 || pin > 4 || function.path.empty()) {
        return none;
    }
    // Each bridge rotates the pin by the device number of the function below it.
    for (usize i = function.path.size() - 1; i > 0; --i) {
        pin = static_cast<u8>(((pin - 1 + function.path[i]) % 4) + 1);
    }
    return IntxKey{function.path[0], pin};
}

Optional<IrqSource> intx_route(const HostBridge& bridge, IntxKey key) {
    u8 mask = bridge.intx_device_mask;
    for (const IntxRoute& route : bridge.intx_routes) {
        if ((route.device & mask) == (key.device & mask) && route.pin == key.pin) {
            return route.source;
        }
    }
    return none;
}

} // namespace keel::pci
