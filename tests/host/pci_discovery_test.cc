// PCI host bridge discovery from firmware tables: the pci-host-ecam-generic nodes of the DTBs
// QEMU gives the riscv64 and aarch64 virt machines (tests/host/data), damaged copies of them
// (edited with libfdt), and the ACPI MCFG table, built byte by byte.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" {
#include <libfdt.h>
}

#include "arch/x86_64/mcfg.h"
#include "boot/live_device_tree.h"
#include "bus/pci/discover.h"

namespace keel::pci {
namespace {

std::vector<u8> load(const std::string& name) {
    std::ifstream in(std::string(KEEL_TEST_DATA) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::vector<u8> blob(std::istreambuf_iterator<char>(in), {});
    blob.resize(blob.size() + 4096); // room for libfdt's edits
    EXPECT_EQ(fdt_open_into(blob.data(), blob.data(), static_cast<int>(blob.size())), 0);
    return blob;
}

Result<HostBridge> read(const std::vector<u8>& blob) {
    Result<boot::DeviceTree> dt = boot::DeviceTree::open(Bytes::from_raw(blob.data(), blob.size()));
    EXPECT_TRUE(dt.ok());
    int node = fdt_node_offset_by_compatible(blob.data(), -1, "pci-host-ecam-generic");
    EXPECT_GE(node, 0);
    return read_host_bridge(dt.value(), node);
}

int bridge_node(std::vector<u8>& blob) {
    return fdt_node_offset_by_compatible(blob.data(), -1, "pci-host-ecam-generic");
}

TEST(PciDiscovery, RiscvVirtGpexHasItsEcamWindowsAndSixteenIntxRoutes) {
    std::vector<u8> blob = load("riscv64-virt.dtb");
    Result<HostBridge> b = read(blob);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.value().ecam_base, 0x30000000u);
    EXPECT_EQ(b.value().bus_start, 0);
    EXPECT_EQ(b.value().bus_end, 0xff);
    EXPECT_EQ(b.value().io.cpu_base, 0x3000000u);
    EXPECT_EQ(b.value().io.pci_base, 0u);
    EXPECT_EQ(b.value().io.size, 0x10000u);
    EXPECT_EQ(b.value().mem32.cpu_base, 0x40000000u);
    EXPECT_EQ(b.value().mem32.pci_base, 0x40000000u);
    EXPECT_EQ(b.value().mem32.size, 0x40000000u);
    EXPECT_EQ(b.value().mem64.cpu_base, 0x400000000u);
    EXPECT_EQ(b.value().mem64.size, 0x400000000u);
    EXPECT_TRUE(b.value().assign_resources);
    // interrupt-map-mask 0x1800: slots repeat every four devices, four pins each.
    EXPECT_EQ(b.value().intx_device_mask, 0x3);
    ASSERT_EQ(b.value().intx_routes.size(), 16u);
    for (const IntxRoute& r : b.value().intx_routes) {
        EXPECT_LT(r.device, 4);
        EXPECT_GE(r.pin, 1);
        EXPECT_LE(r.pin, 4);
        // The PLIC takes one cell; the swizzle spreads slots and pins over lines 0x20-0x23.
        EXPECT_EQ(r.source.cell_count, 1u);
        EXPECT_EQ(r.source.cells[0], 0x20u + (r.device + r.pin - 1) % 4);
    }
}

TEST(PciDiscovery, Aarch64VirtRoutesIntxToGicSpisWithThreeCells) {
    std::vector<u8> blob = load("aarch64-virt.dtb");
    Result<HostBridge> b = read(blob);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.value().ecam_base, 0x4010000000u);
    EXPECT_EQ(b.value().mem32.cpu_base, 0x10000000u);
    EXPECT_EQ(b.value().mem32.size, 0x2eff0000u);
    EXPECT_EQ(b.value().io.cpu_base, 0x3eff0000u);
    EXPECT_EQ(b.value().mem64.cpu_base, 0x8000000000u);
    ASSERT_EQ(b.value().intx_routes.size(), 16u);
    for (const IntxRoute& r : b.value().intx_routes) {
        // The GIC has #address-cells = 2, skipped; then <SPI number level-high>.
        ASSERT_EQ(r.source.cell_count, 3u);
        EXPECT_EQ(r.source.cells[0], 0u);
        EXPECT_EQ(r.source.cells[1], 3u + (r.device + r.pin - 1) % 4);
        EXPECT_EQ(r.source.cells[2], 4u);
    }
}

// QEMU's gicv3 virt maps the whole requester-ID space onto the ITS one to one:
// msi-map = <0 &its 0 0x10000>.
TEST(PciDiscovery, Aarch64VirtGicv3MapsRequesterIdsOneToOneOntoTheIts) {
    std::vector<u8> blob = load("aarch64-virt-gicv3-smp4-4g.dtb");
    Result<HostBridge> b = read(blob);
    ASSERT_TRUE(b.ok());
    EXPECT_TRUE(b.value().has_msi_map);
    ASSERT_EQ(b.value().msi_map.size(), 1u);
    EXPECT_EQ(b.value().msi_map[0].rid_base, 0u);
    EXPECT_EQ(b.value().msi_map[0].msi_base, 0u);
    EXPECT_EQ(b.value().msi_map[0].length, 0x10000u);
    EXPECT_EQ(msi_device_id(b.value(), 0x0100).value(), 0x0100u); // 01:00.0
    EXPECT_EQ(msi_device_id(b.value(), 0xffff).value(), 0xffffu);
}

// An msi-map that covers part of the requester IDs: those are offset, the rest have no MSI.
// Without msi-map (riscv64's gpex has none) the DeviceID is the requester ID.
TEST(PciDiscovery, MsiMapOffsetsCoveredRequesterIdsAndRefusesTheRest) {
    std::vector<u8> blob = load("aarch64-virt-gicv3-smp4-4g.dtb");
    int node = bridge_node(blob);
    int its = fdt_node_offset_by_compatible(blob.data(), -1, "arm,gic-v3-its");
    ASSERT_GE(its, 0);
    u32 phandle = fdt_get_phandle(blob.data(), its);
    // Bus 1 (0x100-0x1ff) at DeviceID 0x20000; bus 2's first function at 7.
    std::vector<u32> cells = {0x100, phandle, 0x20000, 0x100, 0x200, phandle, 7, 1};
    std::vector<u8> map;
    for (u32 c : cells) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            map.push_back(static_cast<u8>(c >> shift));
        }
    }
    ASSERT_EQ(fdt_setprop(blob.data(), node, "msi-map", map.data(), static_cast<int>(map.size())),
              0);
    Result<HostBridge> b = read(blob);
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b.value().msi_map.size(), 2u);
    EXPECT_EQ(msi_device_id(b.value(), 0x0100).value(), 0x20000u);
    EXPECT_EQ(msi_device_id(b.value(), 0x01ff).value(), 0x200ffu);
    EXPECT_EQ(msi_device_id(b.value(), 0x0200).value(), 7u);
    EXPECT_EQ(msi_device_id(b.value(), 0x0000).error(), Errno::eopnotsupp);
    EXPECT_EQ(msi_device_id(b.value(), 0x0201).error(), Errno::eopnotsupp);
    // msi-map-mask drops the bus: every function is looked up by device and function alone.
    ASSERT_EQ(fdt_setprop_u32(blob.data(), node, "msi-map-mask", 0xff), 0);
    Result<HostBridge> masked = read(blob);
    ASSERT_TRUE(masked.ok());
    EXPECT_EQ(msi_device_id(masked.value(), 0x0300).error(), Errno::eopnotsupp);

    std::vector<u8> riscv = load("riscv64-virt.dtb");
    Result<HostBridge> plain = read(riscv);
    ASSERT_TRUE(plain.ok());
    EXPECT_FALSE(plain.value().has_msi_map);
    EXPECT_EQ(msi_device_id(plain.value(), 0x0208).value(), 0x0208u);
}

// A damaged msi-map is refused, and costs the bridge its MSIs only: every function then has
// no DeviceID (EOPNOTSUPP: INTx), the rest of the bridge is as it was.
TEST(PciDiscovery, DamagedMsiMapsCostOnlyTheMsis) {
    auto damaged = [](std::vector<u32> cells) {
        std::vector<u8> blob = load("aarch64-virt-gicv3-smp4-4g.dtb");
        std::vector<u8> map;
        for (u32 c : cells) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                map.push_back(static_cast<u8>(c >> shift));
            }
        }
        EXPECT_EQ(fdt_setprop(blob.data(), bridge_node(blob), "msi-map", map.data(),
                              static_cast<int>(map.size())),
                  0);
        Result<HostBridge> b = read(blob);
        EXPECT_TRUE(b.ok());
        return b.ok() && b.value().msi_map_damaged &&
               msi_device_id(b.value(), 0x0100).error() == Errno::eopnotsupp &&
               b.value().intx_routes.size() == 16;
    };
    int its = 0;
    {
        std::vector<u8> blob = load("aarch64-virt-gicv3-smp4-4g.dtb");
        its = static_cast<int>(fdt_get_phandle(
            blob.data(), fdt_node_offset_by_compatible(blob.data(), -1, "arm,gic-v3-its")));
    }
    u32 p = static_cast<u32>(its);
    EXPECT_TRUE(damaged({0, p, 0}));                 // cut inside an entry
    EXPECT_TRUE(damaged({0, 0x77, 0, 0x10000}));     // nobody's phandle
    EXPECT_TRUE(damaged({0, p, 0, 0}));              // empty
    EXPECT_TRUE(damaged({0, p, 0xffffff00, 0x200})); // wraps
    EXPECT_FALSE(damaged({0, p, 0, 0x10000}));       // a good one
}

TEST(PciDiscovery, DamagedNodesAreRefused) {
    auto damaged = [](const char* property, std::vector<u8> value) {
        std::vector<u8> blob = load("riscv64-virt.dtb");
        int node = bridge_node(blob);
        EXPECT_EQ(
            fdt_setprop(blob.data(), node, property, value.data(), static_cast<int>(value.size())),
            0);
        return read(blob);
    };
    // ranges not a whole number of entries; a window that wraps.
    EXPECT_EQ(damaged("ranges", std::vector<u8>(28, 0)).error(), Errno::einval);
    std::vector<u8> wrap(28, 0);
    wrap[0] = 0x02;                 // 32-bit memory
    for (int i = 12; i < 28; ++i) { // cpu address and size all ones
        wrap[i] = 0xff;
    }
    EXPECT_EQ(damaged("ranges", wrap).error(), Errno::einval);
    // interrupt-map cut inside an entry; an entry naming no phandle; a pin of 5.
    EXPECT_EQ(damaged("interrupt-map", std::vector<u8>(22, 0)).error(), Errno::einval);
    std::vector<u8> no_parent(24, 0);
    no_parent[15] = 1;    // pin INTA
    no_parent[19] = 0x77; // phandle 0x77: nobody
    EXPECT_EQ(damaged("interrupt-map", no_parent).error(), Errno::einval);
    // bus-range reversed, or beyond what the ECAM window covers.
    EXPECT_EQ(damaged("bus-range", {0, 0, 0, 5, 0, 0, 0, 1}).error(), Errno::einval);
    EXPECT_EQ(damaged("bus-range", {0, 0, 0, 0, 0, 0, 1, 0}).error(), Errno::einval);
    // An ECAM window smaller than one bus.
    EXPECT_EQ(damaged("reg", {0, 0, 0, 0, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0}).error(),
              Errno::einval);
}

std::vector<u8> mcfg(std::vector<std::vector<u8>> entries) {
    std::vector<u8> t(44, 0);
    t[0] = 'M', t[1] = 'C', t[2] = 'F', t[3] = 'G';
    for (auto& e : entries) {
        t.insert(t.end(), e.begin(), e.end());
    }
    t[4] = static_cast<u8>(t.size());
    return t;
}

std::vector<u8> entry(u64 base, u16 segment, u8 first, u8 last) {
    std::vector<u8> e(16, 0);
    for (int i = 0; i < 8; ++i) {
        e[i] = static_cast<u8>(base >> (8 * i));
    }
    e[8] = static_cast<u8>(segment);
    e[9] = static_cast<u8>(segment >> 8);
    e[10] = first;
    e[11] = last;
    return e;
}

Bytes bytes(const std::vector<u8>& v) { return Bytes::from_raw(v.data(), v.size()); }

TEST(Mcfg, Q35HasOneSegmentAtItsEcamBase) {
    std::vector<u8> t = mcfg({entry(0xb0000000, 0, 0, 0xff)});
    auto parsed = x86::parse_mcfg(bytes(t));
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed.value().size(), 1u);
    EXPECT_EQ(parsed.value()[0].ecam_base, 0xb0000000u);
    EXPECT_EQ(parsed.value()[0].bus_end, 0xff);
}

TEST(Mcfg, DamagedTablesAreRefused) {
    std::vector<u8> t = mcfg({entry(0xb0000000, 0, 0, 0xff)});
    EXPECT_EQ(x86::parse_mcfg(Bytes::from_raw(t.data(), 40)).error(), Errno::einval);
    std::vector<u8> odd = t;
    odd[4] = 50; // not header + whole entries
    EXPECT_EQ(x86::parse_mcfg(bytes(odd)).error(), Errno::einval);
    std::vector<u8> long_claim = t;
    long_claim[4] = 200; // longer than the bytes
    EXPECT_EQ(x86::parse_mcfg(bytes(long_claim)).error(), Errno::einval);
    EXPECT_EQ(x86::parse_mcfg(bytes(mcfg({entry(0xb0000000, 0, 5, 1)}))).error(), Errno::einval);
    EXPECT_EQ(x86::parse_mcfg(bytes(mcfg({entry(0xfffffffffff00000, 0, 0, 0xff)}))).error(),
              Errno::einval);
    EXPECT_EQ(x86::parse_mcfg(bytes(mcfg({entry(0, 0, 0, 0xff)}))).error(), Errno::einval);
}

// The MSI controllers hang under the GIC node: a v2m frame on GICv2, an ITS on GICv3; a child
// that is not marked msi-controller does not count.
TEST(PciDiscovery, MsiControllersAreFoundUnderTheirGic) {
    for (const char* name : {"aarch64-virt.dtb", "aarch64-virt-gicv3-smp4-4g.dtb"}) {
        bool v3 = std::string(name).find("gicv3") != std::string::npos;
        std::vector<u8> blob = load(name);
        Result<boot::DeviceTree> dt =
            boot::DeviceTree::open(Bytes::from_raw(blob.data(), blob.size()));
        ASSERT_TRUE(dt.ok());
        int gic = fdt_node_offset_by_compatible(blob.data(), -1,
                                                v3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
        ASSERT_GE(gic, 0) << name;
        const char* wanted = v3 ? "arm,gic-v3-its" : "arm,gic-v2m-frame";
        Optional<boot::DeviceTree::Node> found =
            boot::find_msi_controller_child(dt.value(), gic, StringView::from_c_string(wanted, 64));
        ASSERT_TRUE(found.has_value()) << name;
        EXPECT_EQ(*found, fdt_node_offset_by_compatible(blob.data(), -1, wanted));
        // Without msi-controller it is an ordinary child.
        ASSERT_EQ(fdt_delprop(blob.data(), *found, "msi-controller"), 0);
        Result<boot::DeviceTree> edited =
            boot::DeviceTree::open(Bytes::from_raw(blob.data(), blob.size()));
        ASSERT_TRUE(edited.ok());
        EXPECT_FALSE(boot::find_msi_controller_child(edited.value(), gic,
                                                     StringView::from_c_string(wanted, 64))
                         .has_value());
    }
}

} // namespace
} // namespace keel::pci
