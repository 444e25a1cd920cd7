// The PCI core's walk against a fake topology: bus numbering, BAR sizing and placement, bridge
// windows, capability walks (including broken lists), absent functions and the INTx swizzle.
#include <gtest/gtest.h>

#include "bus/pci/enumerate.h"
#include "fake_pci.h"

using namespace keel;
using namespace keel::test;

namespace {

pci::HostBridge virt_bridge() {
    pci::HostBridge b;
    b.bus_start = 0;
    b.bus_end = 255;
    b.mem32 = {0x40000000, 0x40000000, 0x40000000};
    b.mem64 = {0x400000000, 0x400000000, 0x400000000};
    b.prefetchable64 = true;
    b.io = {0x3000000, 0, 0x10000};
    b.assign_resources = true;
    return b;
}

// Root bus:
//   00:00.0 host bridge (no BARs)
//   00:01.0 multi-function: mem32 BAR0 4 KiB, io BAR1 32 bytes
//   00:01.1                 64-bit prefetchable BAR2 16 KiB
//   00:01.3                 (01.2 absent) mem32 BAR0 16 bytes
//   00:02.0 bridge -> 01:00.0 endpoint, mem32 BAR0 1 MiB, pin A
//   00:03.0 bridge -> 02:00.0 bridge -> 03:02.0 endpoint, pin B, 64-bit pref BAR0 1 MiB
//   00:04.0 endpoint whose BAR0 (2 GiB) fits no window, plus mem32 BAR1 4 KiB
//   00:05.0 endpoint with a 64-bit BAR in slot 5
//   00:06.0 header type 2: skipped
struct Topology {
    FakeConfigSpace config;
    Topology() {
        config.add(make_function(0, 0, 0x1b36, 0x0008, 0x06, 0x00));
        FakeFunction& f0 = config.add(make_function(1, 0, 0x1af4, 0x1000, 0x02, 0x00, 0x80));
        f0.bar32(0, 0x1000);
        f0.bar32(1, 0x20, true);
        f0.cfg[0x3d] = 1;
        f0.capability(0x50, pci::cap_msix, 0x40);
        f0.capability(0x40, pci::cap_msi, 0);
        FakeFunction& f1 = config.add(make_function(1, 1, 0x1af4, 0x1001, 0x01, 0x00));
        f1.bar64(2, 0x4000, true);
        FakeFunction& f3 = config.add(make_function(1, 3, 0x1af4, 0x1003, 0x01, 0x00));
        f3.bar32(0, 0x10);

        FakeFunction& b1 = config.add(make_bridge(2));
        FakeFunction& e1 = b1.add_child(make_function(0, 0, 0x8086, 0x100e, 0x02, 0x00));
        e1.bar32(0, 0x100000);
        e1.cfg[0x3d] = 1;

        FakeFunction& b2 = config.add(make_bridge(3));
        FakeFunction& b3 = b2.add_child(make_bridge(0));
        FakeFunction& deep = b3.add_child(make_function(2, 0, 0x1af4, 0x1042, 0x01, 0x80));
        deep.bar64(0, 0x100000, true);
        deep.cfg[0x3d] = 2;

        FakeFunction& big = config.add(make_function(4, 0, 0x1234, 0x0004, 0x03, 0x00));
        big.bar32(0, 0x80000000u);
        big.bar32(1, 0x1000);
        FakeFunction& slot5 = config.add(make_function(5, 0, 0x1234, 0x0005, 0xff, 0x00));
        slot5.bar64(5, 0x1000, false);
        config.add(make_function(6, 0, 0x104c, 0xac56, 0x06, 0x07, 2));
    }
};

const pci::FunctionRecord* find(const Vector<pci::FunctionRecord>& all, u8 bus, u8 device,
                                u8 function) {
    for (const pci::FunctionRecord& r : all) {
        if (r.address.bus == bus && r.address.device == device && r.address.function == function) {
            return &r;
        }
    }
    return nullptr;
}

bool inside(const pci::Window& w, u64 cpu, u64 size) {
    return cpu >= w.cpu_base && cpu + size <= w.cpu_base + w.size;
}

} // namespace

TEST(PciEnumerate, FindsEveryFunctionInBusOrderAndSkipsTheRest) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    Result<pci::WalkStats> stats = pci::enumerate_bridge(t.config, bridge, 0, all);
    ASSERT_TRUE(stats.ok());
    // 00:00.0 01.0 01.1 01.3 02.0 03.0 04.0 05.0, 01:00.0, 02:00.0, 03:02.0; 06.0 skipped.
    EXPECT_EQ(all.size(), 11u);
    EXPECT_EQ(stats.value().functions, 11u);
    EXPECT_EQ(stats.value().skipped, 1u);
    for (usize i = 1; i < all.size(); ++i) {
        const PciAddress& a = all[i - 1].address;
        const PciAddress& b = all[i].address;
        u32 ka = (u32{a.bus} << 8) | (a.device << 3) | a.function;
        u32 kb = (u32{b.bus} << 8) | (b.device << 3) | b.function;
        EXPECT_LT(ka, kb);
    }
    EXPECT_EQ(find(all, 0, 1, 2), nullptr);
    ASSERT_NE(find(all, 0, 1, 3), nullptr);
    EXPECT_EQ(find(all, 0, 6, 0), nullptr);
    EXPECT_EQ(find(all, 0, 1, 1)->identity.device, 0x1001);
    EXPECT_EQ(find(all, 0, 1, 0)->identity.class_code, 0x02);
    EXPECT_EQ(find(all, 0, 1, 0)->identity.revision, 1);
}

TEST(PciEnumerate, SingleFunctionDevicesAreNotScannedForMoreFunctions) {
    FakeConfigSpace config;
    config.add(make_function(0, 0, 0x1b36, 0x0008, 0x06, 0x00)); // not multi-function
    config.add(make_function(0, 1, 0x1b36, 0x0009, 0x06, 0x00)); // would be a ghost
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(config, bridge, 0, all).ok());
    EXPECT_EQ(all.size(), 1u);
}

TEST(PciEnumerate, NumbersBridgesDepthFirst) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(t.config, bridge, 0, all).ok());
    FakeFunction* b1 = t.config.find(0, 2, 0);
    FakeFunction* b2 = t.config.find(0, 3, 0);
    ASSERT_NE(b1, nullptr);
    ASSERT_NE(b2, nullptr);
    EXPECT_EQ(b1->cfg[0x18], 0);
    EXPECT_EQ(b1->cfg[0x19], 1);
    EXPECT_EQ(b1->cfg[0x1a], 1);
    EXPECT_EQ(b2->cfg[0x19], 2);
    EXPECT_EQ(b2->cfg[0x1a], 3); // the max found below it
    FakeFunction* b3 = t.config.find(2, 0, 0);
    ASSERT_NE(b3, nullptr);
    EXPECT_EQ(b3->cfg[0x18], 2);
    EXPECT_EQ(b3->cfg[0x19], 3);
    EXPECT_EQ(b3->cfg[0x1a], 3);
    ASSERT_NE(find(all, 1, 0, 0), nullptr);
    ASSERT_NE(find(all, 3, 2, 0), nullptr);
    EXPECT_NE(b1->get16(0x04) & pci::command::bus_master, 0);
}

TEST(PciEnumerate, PlacesBarsNaturallyAlignedInTheirWindows) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(t.config, bridge, 0, all).ok());

    const pci::FunctionRecord* f0 = find(all, 0, 1, 0);
    ASSERT_NE(f0, nullptr);
    EXPECT_EQ(f0->bars[0].kind, PciBarKind::memory32);
    EXPECT_EQ(f0->bars[0].size, 0x1000u);
    EXPECT_TRUE(f0->bars[0].assigned);
    EXPECT_TRUE(inside(bridge.mem32, f0->bars[0].cpu_address, 0x1000));
    EXPECT_EQ(f0->bars[1].kind, PciBarKind::io);
    EXPECT_EQ(f0->bars[1].size, 0x20u);
    EXPECT_TRUE(inside(bridge.io, f0->bars[1].cpu_address, 0x20));
    EXPECT_GE(f0->bar_bus_address[1], 0x1000u); // legacy ports stay free
    EXPECT_EQ(f0->bar_bus_address[1] % 0x20, 0u);
    FakeFunction* ff0 = t.config.find(0, 1, 0);
    EXPECT_EQ(ff0->get32(0x10), static_cast<u32>(f0->bar_bus_address[0]));
    EXPECT_EQ(ff0->get32(0x14), static_cast<u32>(f0->bar_bus_address[1]) | 1);
    EXPECT_EQ(ff0->get16(0x04) & (pci::command::memory | pci::command::io),
              pci::command::memory | pci::command::io);

    const pci::FunctionRecord* f1 = find(all, 0, 1, 1);
    EXPECT_EQ(f1->bars[2].kind, PciBarKind::memory64);
    EXPECT_TRUE(f1->bars[2].prefetchable);
    EXPECT_EQ(f1->bars[3].kind, PciBarKind::none);
    EXPECT_TRUE(inside(bridge.mem64, f1->bars[2].cpu_address, 0x4000));
    EXPECT_EQ(f1->bars[2].cpu_address % 0x4000, 0u);
    FakeFunction* ff1 = t.config.find(0, 1, 1);
    u64 programmed = (u64{ff1->get32(0x1c)} << 32) | (ff1->get32(0x18) & ~u32{0xf});
    EXPECT_EQ(programmed, f1->bar_bus_address[2]);

    // A 16-byte BAR still gets a page to itself.
    const pci::FunctionRecord* f3 = find(all, 0, 1, 3);
    EXPECT_EQ(f3->bars[0].size, 0x10u);
    EXPECT_EQ(f3->bars[0].cpu_address % 0x1000, 0u);

    // No two assigned BARs overlap (page-rounded, as they are handed out).
    struct Span64 {
        u64 base;
        u64 end;
    };
    std::vector<Span64> used;
    for (const pci::FunctionRecord& r : all) {
        for (const PciBar& b : r.bars) {
            if (b.kind == PciBarKind::none || !b.assigned) {
                continue;
            }
            u64 size = b.kind == PciBarKind::io ? b.size : std::max<u64>(b.size, 0x1000);
            EXPECT_EQ(b.cpu_address % (b.kind == PciBarKind::io ? b.size : 1), 0u);
            for (const Span64& s : used) {
                EXPECT_FALSE(b.cpu_address < s.end && s.base < b.cpu_address + size);
            }
            used.push_back({b.cpu_address, b.cpu_address + size});
        }
    }
}

TEST(PciEnumerate, BridgeWindowsCoverWhatIsBehindThem) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(t.config, bridge, 0, all).ok());
    FakeFunction* b1 = t.config.find(0, 2, 0);
    const pci::FunctionRecord* e1 = find(all, 1, 0, 0);
    ASSERT_TRUE(e1->bars[0].assigned);
    u64 mem_base = u64{b1->get16(0x20) & 0xfff0u} << 16;
    u64 mem_limit = (u64{b1->get16(0x22) & 0xfff0u} << 16) | 0xfffff;
    EXPECT_EQ(mem_base % 0x100000, 0u);
    EXPECT_LE(mem_base, e1->bar_bus_address[0]);
    EXPECT_GE(mem_limit, e1->bar_bus_address[0] + 0x100000 - 1);
    // Nothing prefetchable or I/O behind b1: those windows are closed (base above limit).
    EXPECT_GT(b1->get16(0x24) & 0xfff0, b1->get16(0x26) & 0xfff0);
    EXPECT_GT(b1->cfg[0x1c] & 0xf0, b1->cfg[0x1d] & 0xf0);

    // The 64-bit prefetchable BAR two bridges down is inside both prefetchable windows.
    const pci::FunctionRecord* deep = find(all, 3, 2, 0);
    ASSERT_TRUE(deep->bars[0].assigned);
    EXPECT_TRUE(inside(bridge.mem64, deep->bars[0].cpu_address, 0x100000));
    for (FakeFunction* b : {t.config.find(0, 3, 0), t.config.find(2, 0, 0)}) {
        ASSERT_NE(b, nullptr);
        u64 base = (u64{b->get32(0x28)} << 32) | (u64{b->get16(0x24) & 0xfff0u} << 16);
        u64 limit = (u64{b->get32(0x2c)} << 32) | (u64{b->get16(0x26) & 0xfff0u} << 16) | 0xfffff;
        EXPECT_LE(base, deep->bar_bus_address[0]);
        EXPECT_GE(limit, deep->bar_bus_address[0] + 0x100000 - 1);
    }
    // Sibling bridges' memory windows do not overlap.
    FakeFunction* b2 = t.config.find(0, 3, 0);
    u64 b2_base = u64{b2->get16(0x20) & 0xfff0u} << 16;
    u64 b2_limit = (u64{b2->get16(0x22) & 0xfff0u} << 16) | 0xfffff;
    if (b2_base <= b2_limit) {
        EXPECT_TRUE(b2_limit < mem_base || b2_base > mem_limit);
    }
}

TEST(PciEnumerate, ABarThatFitsNoWindowIsLeftUnassigned) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(t.config, bridge, 0, all).ok());
    const pci::FunctionRecord* big = find(all, 0, 4, 0);
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(big->bars[0].size, 0x80000000u);
    EXPECT_FALSE(big->bars[0].assigned);
    // Its other memory BAR is not used either: memory decoding stays off for the function.
    EXPECT_FALSE(big->bars[1].assigned);
    EXPECT_EQ(t.config.find(0, 4, 0)->get16(0x04) & pci::command::memory, 0);
    // Later functions still got room.
    EXPECT_TRUE(find(all, 1, 0, 0)->bars[0].assigned);
}

TEST(PciEnumerate, NonsenseBarsAreIgnored) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(t.config, bridge, 0, all).ok());
    const pci::FunctionRecord* slot5 = find(all, 0, 5, 0);
    ASSERT_NE(slot5, nullptr);
    for (const PciBar& b : slot5->bars) {
        EXPECT_EQ(b.kind, PciBarKind::none);
    }
    const pci::FunctionRecord* host = find(all, 0, 0, 0);
    for (const PciBar& b : host->bars) {
        EXPECT_EQ(b.kind, PciBarKind::none);
    }
}

TEST(PciEnumerate, WalksCapabilitiesAndStopsOnBrokenLists) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(t.config, bridge, 0, all).ok());
    const pci::FunctionRecord* f0 = find(all, 0, 1, 0);
    EXPECT_EQ(f0->msix, 0x50);
    EXPECT_EQ(f0->msi, 0x40);
    auto caps = pci::walk_capabilities(t.config, {0, 1, 0});
    ASSERT_EQ(caps.size(), 2u);
    EXPECT_EQ(caps[0].offset, 0x50);
    EXPECT_EQ(caps[1].id, pci::cap_msi);

    FakeConfigSpace config;
    FakeFunction& looping = config.add(make_function(0, 0, 0x1234, 1, 0xff, 0));
    looping.capability(0x40, 0x09, 0x50);
    looping.capability(0x50, pci::cap_msi, 0x40); // back to the first
    FakeFunction& header = config.add(make_function(1, 0, 0x1234, 2, 0xff, 0));
    header.capability(0x40, 0x09, 0x10); // into the header
    FakeFunction& reserved_bits = config.add(make_function(2, 0, 0x1234, 3, 0xff, 0));
    reserved_bits.capability(0x40, 0x09, 0x4b); // 0x48 with the reserved low bits set
    reserved_bits.capability(0x48, pci::cap_msix, 0x00);
    FakeFunction& none = config.add(make_function(3, 0, 0x1234, 4, 0xff, 0));
    none.cfg[0x34] = 0x40; // a pointer, but the status bit says there is no list
    FakeFunction& chain = config.add(make_function(4, 0, 0x1234, 5, 0xff, 0));
    for (u16 p = 0x40; p < 0x100; p += 4) {
        chain.capability(static_cast<u8>(p), 0x09, static_cast<u8>(p + 4 < 0x100 ? p + 4 : 0));
    }

    auto l = pci::walk_capabilities(config, {0, 0, 0});
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(l[1].offset, 0x50);
    EXPECT_EQ(pci::walk_capabilities(config, {0, 1, 0}).size(), 1u);
    auto masked = pci::walk_capabilities(config, {0, 2, 0});
    ASSERT_EQ(masked.size(), 2u);
    EXPECT_EQ(masked[1].offset, 0x48);
    EXPECT_EQ(masked[1].id, pci::cap_msix);
    EXPECT_EQ(pci::walk_capabilities(config, {0, 3, 0}).size(), 0u);
    EXPECT_EQ(pci::walk_capabilities(config, {0, 4, 0}).size(), pci::max_capabilities);
    // Functions with broken lists are still enumerated.
    Vector<pci::FunctionRecord> found;
    ASSERT_TRUE(pci::enumerate_bridge(config, virt_bridge(), 0, found).ok());
    EXPECT_EQ(found.size(), 5u);
    EXPECT_EQ(found[0].msi, 0x50);
}

TEST(PciEnumerate, SwizzlesIntxThroughEveryBridge) {
    Topology t;
    pci::HostBridge bridge = virt_bridge();
    // QEMU virt's interrupt-map: slot s, pin p -> input 3 + (s + p - 1) % 4 (mask 0x3).
    bridge.intx_device_mask = 0x3;
    for (u8 slot = 0; slot < 4; ++slot) {
        for (u8 pin = 1; pin <= 4; ++pin) {
            pci::IntxRoute route;
            route.device = slot;
            route.pin = pin;
            route.source.cell_count = 1;
            route.source.cells[0] = 3 + (slot + pin - 1) % 4;
            ASSERT_TRUE(bridge.intx_routes.push(route).ok());
        }
    }
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(t.config, bridge, 0, all).ok());

    // 00:01.0 INTA on the root bus: no swizzle.
    Optional<pci::IntxKey> k = pci::intx_key(*find(all, 0, 1, 0));
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(k->device, 1);
    EXPECT_EQ(k->pin, 1);
    // 01:00.0 INTA behind 00:02.0: device 0 rotates nothing; root slot 2.
    k = pci::intx_key(*find(all, 1, 0, 0));
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(k->device, 2);
    EXPECT_EQ(k->pin, 1);
    // 03:02.0 INTB behind 02:00.0 (device 2 rotates B to D) behind 00:03.0 (device 0).
    const pci::FunctionRecord* deep = find(all, 3, 2, 0);
    ASSERT_EQ(deep->path.size(), 3u);
    k = pci::intx_key(*deep);
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(k->device, 3);
    EXPECT_EQ(k->pin, 4);
    Optional<IrqSource> source = pci::intx_route(bridge, *k);
    ASSERT_TRUE(source.has_value());
    EXPECT_EQ(source->cells[0], 3u + (3 + 4 - 1) % 4);
    // No pin, no line.
    EXPECT_FALSE(pci::intx_key(*find(all, 0, 1, 1)).has_value());
    // Slot 7 masks to 3 under the interrupt-map-mask.
    EXPECT_TRUE(pci::intx_route(bridge, {7, 1}).has_value());
    bridge.intx_routes.clear();
    EXPECT_FALSE(pci::intx_route(bridge, {3, 4}).has_value());
}

TEST(PciEnumerate, KeepsFirmwareAssignmentsAndFillsOnlyZeroBars) {
    FakeConfigSpace config;
    FakeFunction& a = config.add(make_function(1, 0, 0x1af4, 0x1000, 0x02, 0x00));
    a.bar32(0, 0x1000);
    a.set32(0x10, 0xfebd0000);
    FakeFunction& b = config.add(make_function(2, 0, 0x1af4, 0x1001, 0x01, 0x00));
    b.bar32(0, 0x2000);
    FakeFunction& br = config.add(make_bridge(3));
    br.cfg[0x18] = 0;
    br.cfg[0x19] = 5; // firmware numbers: kept
    br.cfg[0x1a] = 5;
    br.add_child(make_function(0, 0, 0x8086, 0x100e, 0x02, 0x00)).bar32(0, 0x1000);

    pci::HostBridge bridge;
    bridge.bus_end = 255;
    bridge.mem32 = {0xfebd0000, 0xfebd0000, 0x10000};
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(config, bridge, 0, all).ok());
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].bars[0].cpu_address, 0xfebd0000u);
    EXPECT_TRUE(all[0].bars[0].assigned);
    EXPECT_TRUE(all[1].bars[0].assigned);
    EXPECT_EQ(all[1].bars[0].cpu_address, 0xfebd2000u); // stepped over the firmware's
    EXPECT_EQ(config.find(0, 2, 0)->get32(0x10), 0xfebd2000u);
    EXPECT_EQ(all[3].address.bus, 5);
    EXPECT_FALSE(all[3].bars[0].assigned); // behind a firmware bridge: not filled
    EXPECT_EQ(br.cfg[0x19], 5);
}

TEST(PciEnumerate, RefusesOutOfRangeConfigAccesses) {
    FakeConfigSpace config;
    config.add(make_function(0, 0, 0x1b36, 0x0008, 0x06, 0x00));
    EXPECT_EQ(config.read32({0, 0, 0}, 4096).error(), Errno::einval);
    EXPECT_EQ(config.read32({0, 0, 0}, 2).error(), Errno::einval);
    EXPECT_EQ(config.read16({0, 32, 0}, 0).error(), Errno::einval);
    EXPECT_EQ(config.read16({0, 0, 8}, 0).error(), Errno::einval);
    EXPECT_EQ(config.read16({0, 0, 0}, 0).value(), 0x1b36);
}

TEST(PciEnumerate, SizesOddBarsSafely) {
    FakeConfigSpace config;
    FakeFunction& f = config.add(make_function(0, 0, 0x1234, 1, 0xff, 0));
    f.bar32(0, 0x100, true);
    f.bar_mask[0] = 0x0000ff00; // a 16-bit I/O decoder: the upper half reads 0
    f.bar32(1, 0x1000);
    f.bar_mask[1] = 0xfff0f000; // not a contiguous mask: no power-of-two size
    f.bar64(2, u64{1} << 33, true);
    pci::HostBridge bridge = virt_bridge();
    Vector<pci::FunctionRecord> all;
    ASSERT_TRUE(pci::enumerate_bridge(config, bridge, 0, all).ok());
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].bars[0].kind, PciBarKind::io);
    EXPECT_EQ(all[0].bars[0].size, 0x100u);
    EXPECT_EQ(all[0].bars[1].kind, PciBarKind::none);
    EXPECT_EQ(all[0].bars[2].kind, PciBarKind::memory64);
    EXPECT_EQ(all[0].bars[2].size, u64{1} << 33);
    EXPECT_TRUE(all[0].bars[2].assigned);
    EXPECT_EQ(all[0].bars[2].cpu_address % (u64{1} << 33), 0u);
    // Sizing left decoding as it found it and then turned on what got addresses.
    EXPECT_EQ(f.get16(0x04) & (pci::command::io | pci::command::memory),
              pci::command::io | pci::command::memory);
}

TEST(PciEnumerate, FirmwareBusNumbersThatLoopAreNotFollowed) {
    FakeConfigSpace config;
    FakeFunction& self = config.add(make_bridge(1));
    self.cfg[0x19] = 0; // points back at its own bus
    self.cfg[0x1a] = 0;
    FakeFunction& a = config.add(make_bridge(2));
    a.cfg[0x19] = 5;
    a.cfg[0x1a] = 5;
    a.add_child(make_function(0, 0, 0x8086, 0x100e, 0x02, 0x00));
    FakeFunction& b = config.add(make_bridge(3));
    b.cfg[0x19] = 5; // the same bus again
    b.cfg[0x1a] = 5;
    pci::HostBridge bridge;
    bridge.bus_end = 255;
    Vector<pci::FunctionRecord> all;
    Result<pci::WalkStats> stats = pci::enumerate_bridge(config, bridge, 0, all);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(all.size(), 4u); // three bridges, one endpoint found once
    EXPECT_EQ(stats.value().skipped, 1u);
}
