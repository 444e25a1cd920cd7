// A fake PCI configuration space for the host tests: functions with real BAR sizing semantics
// (only the size-aligned address bits stick), read-only identity registers, and bridges that
// forward configuration cycles to their children when the walk has given them bus numbers,
// the way a real hierarchy does.
#pragma once

#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "bus/pci/config_space.h"

namespace keel::test {

struct FakeFunction {
    u8 device = 0;
    u8 function = 0;
    std::array<u8, 4096> cfg{};
    std::array<u32, 6> bar_mask{};                       // writable bits of each BAR dword
    std::vector<std::unique_ptr<FakeFunction>> children; // behind a bridge

    u32 get32(u16 offset) const {
        u32 v = 0;
        std::memcpy(&v, &cfg[offset], 4);
        return v;
    }
    void set32(u16 offset, u32 v) { std::memcpy(&cfg[offset], &v, 4); }
    u16 get16(u16 offset) const {
        return static_cast<u16>(get32(offset & ~3) >> ((offset & 2) * 8));
    }
    void set16(u16 offset, u16 v) { std::memcpy(&cfg[offset], &v, 2); }
    u8 header() const { return cfg[0x0e] & 0x7f; }

    // A BAR whose writable address bits are those above its size.
    void bar32(usize index, u32 size, bool io = false, bool prefetchable = false) {
        bar_mask[index] = ~(size - 1) & (io ? ~u32{3} : ~u32{0xf});
        set32(static_cast<u16>(0x10 + 4 * index), (io ? 1u : 0u) | (prefetchable ? 8u : 0u));
    }
    void bar64(usize index, u64 size, bool prefetchable) {
        u64 mask = ~(size - 1);
        bar_mask[index] = static_cast<u32>(mask) & ~u32{0xf};
        if (index + 1 < 6) {
            bar_mask[index + 1] = static_cast<u32>(mask >> 32);
        }
        set32(static_cast<u16>(0x10 + 4 * index), 4u | (prefetchable ? 8u : 0u));
    }
    // A capability at offset pointing at next (the first one also goes into the list head).
    void capability(u8 offset, u8 id, u8 next) {
        if (cfg[0x34] == 0) {
            cfg[0x34] = offset;
        }
        cfg[0x06] |= 0x10;
        cfg[offset] = id;
        cfg[offset + 1] = next;
    }
    FakeFunction& add_child(std::unique_ptr<FakeFunction> child) {
        children.push_back(std::move(child));
        return *children.back();
    }
};

inline std::unique_ptr<FakeFunction> make_function(u8 device, u8 function, u16 vendor, u16 id,
                                                   u8 class_code, u8 subclass, u8 header = 0) {
    auto f = std::make_unique<FakeFunction>();
    f->device = device;
    f->function = function;
    f->set16(0x00, vendor);
    f->set16(0x02, id);
    f->cfg[0x08] = 1; // revision
    f->cfg[0x0a] = subclass;
    f->cfg[0x0b] = class_code;
    f->cfg[0x0e] = header;
    if ((header & 0x7f) == 1) {
        f->set16(0x24, 0x0001); // a 64-bit prefetchable window
    }
    return f;
}

inline std::unique_ptr<FakeFunction> make_bridge(u8 device, u8 function = 0) {
    return make_function(device, function, 0x1b36, 0x000c, 0x06, 0x04, 1);
}

class FakeConfigSpace final : public pci::ConfigSpace {
public:
    explicit FakeConfigSpace(u8 root_bus = 0) : root_bus_(root_bus) {}

    FakeFunction& add(std::unique_ptr<FakeFunction> f) {
        root_.push_back(std::move(f));
        return *root_.back();
    }

    FakeFunction* find(u8 bus, u8 device, u8 function) {
        return find_in(root_, root_bus_, bus, device, function, 0);
    }

    Result<u32> read(pci::Bdf at, u16 offset, u32 width) override {
        if (!valid(at, offset, width)) {
            return Errno::einval;
        }
        ++reads;
        FakeFunction* f = find(at.bus, at.device, at.function);
        if (f == nullptr) {
            return width == 4 ? 0xffffffffu : (width == 2 ? 0xffffu : 0xffu);
        }
        u32 v = 0;
        std::memcpy(&v, &f->cfg[offset], width);
        return v;
    }

    Result<void> write(pci::Bdf at, u16 offset, u32 width, u32 value) override {
        if (!valid(at, offset, width)) {
            return Errno::einval;
        }
        FakeFunction* f = find(at.bus, at.device, at.function);
        if (f == nullptr) {
            return {};
        }
        u16 aligned = offset & ~u16{3};
        u32 old = f->get32(aligned);
        u32 merged = old;
        std::memcpy(reinterpret_cast<u8*>(&merged) + (offset - aligned), &value, width);
        usize bars = f->header() == 0 ? 6 : 2;
        if (aligned < 0x0c || aligned == 0x0c) {
            if (aligned == 0x04) {
                // Command writable; status bits are write-one-to-clear: keep them.
                merged = (old & 0xffff0000) | (merged & 0xffff);
            } else if (aligned == 0x0c) {
                merged = (old & 0x00ff0000) | (merged & 0xff00ffff); // header type read-only
            } else {
                merged = old; // identity
            }
        } else if (aligned >= 0x10 && aligned < 0x10 + 4 * bars) {
            u32 mask = f->bar_mask[(aligned - 0x10) / 4];
            merged = (merged & mask) | (old & ~mask);
        } else if (aligned == 0x24 && f->header() == 1) {
            merged = (merged & 0xfff0fff0) | (old & 0x000f000f); // window kind bits read-only
        }
        f->set32(aligned, merged);
        return {};
    }

    usize reads = 0;

private:
    FakeFunction* find_in(std::vector<std::unique_ptr<FakeFunction>>& list, u8 list_bus, u8 bus,
                          u8 device, u8 function, int depth) {
        if (depth > 32) {
            return nullptr;
        }
        for (auto& f : list) {
            if (bus == list_bus && f->device == device && f->function == function) {
                return f.get();
            }
        }
        if (bus == list_bus) {
            return nullptr;
        }
        for (auto& f : list) {
            if (f->header() != 1) {
                continue;
            }
            u8 secondary = f->cfg[0x19];
            u8 subordinate = f->cfg[0x1a];
            if (secondary > list_bus && secondary <= bus && bus <= subordinate) {
                return find_in(f->children, secondary, bus, device, function, depth + 1);
            }
        }
        return nullptr;
    }

    u8 root_bus_;
    std::vector<std::unique_ptr<FakeFunction>> root_;
};

} // namespace keel::test
