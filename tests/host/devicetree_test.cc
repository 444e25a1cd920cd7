// Device-tree parsing against the real blobs QEMU hands Keel (tests/host/data), and against
// damaged ones, which must be refused cleanly.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "boot/devicetree.h"
#include "boot/protocols.h"

namespace keel::boot {
namespace {

std::vector<u8> load(const std::string& name) {
    std::ifstream in(std::string(KEEL_TEST_DATA) + "/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    return std::vector<u8>(std::istreambuf_iterator<char>(in), {});
}

Bytes bytes_of(const std::vector<u8>& v) { return Bytes::from_raw(v.data(), v.size()); }

struct Parsed {
    BootInfo info;
    FixedVector<MemoryRegion, BootInfo::max_regions> map;
};

Parsed parse(const std::vector<u8>& blob, u64 dtb_phys) {
    Parsed p;
    MemoryMapBuilder builder;
    Result<void> r = parse_device_tree(bytes_of(blob), dtb_phys, p.info, builder);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(builder.build(p.map).ok());
    return p;
}

struct Machine {
    const char* file;
    u64 ram_base;
    u64 ram_size;
    u32 cpus;
    u64 timebase;
    const char* uart_compatible;
    u64 uart_base;
};

void PrintTo(const Machine& m, std::ostream* os) { *os << m.file; }

class QemuDeviceTree : public testing::TestWithParam<Machine> {};

TEST_P(QemuDeviceTree, MemoryCpusAndReservationsMatchTheMachine) {
    const Machine& m = GetParam();
    std::vector<u8> blob = load(m.file);
    u64 dtb_phys = m.ram_base + m.ram_size - 0x200000; // where firmware typically puts it
    Parsed p = parse(blob, dtb_phys);

    EXPECT_EQ(p.info.platform.cpu_count, m.cpus);
    EXPECT_EQ(p.info.platform.timebase_hz, m.timebase);
    EXPECT_FALSE(p.info.platform.model.view().empty());
    ASSERT_TRUE(p.info.device_tree.has_value());
    EXPECT_EQ(p.info.device_tree->base, dtb_phys);

    u64 covered = 0;
    for (const MemoryRegion& r : p.map) {
        EXPECT_GE(r.base, m.ram_base);
        EXPECT_LE(r.end(), m.ram_base + m.ram_size);
        covered += r.size;
    }
    // RAM fully described by usable and reserved pieces, less at most the partial page after
    // the tree that is neither.
    EXPECT_LE(covered, m.ram_size);
    EXPECT_GT(covered, m.ram_size - 4096);
    u64 dt_bytes = 0;
    for (const MemoryRegion& r : p.map) {
        if (r.kind == MemoryKind::DeviceTree) {
            dt_bytes += r.size;
        }
    }
    EXPECT_EQ(dt_bytes, read_be<u32>(bytes_of(blob), 4)); // the header's totalsize
}

TEST_P(QemuDeviceTree, TheConsoleUartIsWhereStdoutPathSays) {
    const Machine& m = GetParam();
    std::vector<u8> blob = load(m.file);
    Result<DeviceTree> dt = DeviceTree::open(bytes_of(blob));
    ASSERT_TRUE(dt.ok());
    Optional<DeviceTree::Node> chosen = dt.value().find("/chosen");
    ASSERT_TRUE(chosen.has_value());
    Optional<StringView> path = dt.value().string_property(*chosen, "stdout-path");
    ASSERT_TRUE(path.has_value());
    Optional<DeviceTree::Node> uart = dt.value().find(*path);
    ASSERT_TRUE(uart.has_value());
    EXPECT_TRUE(dt.value().is_compatible(*uart, StringView::from_c_string(m.uart_compatible)));
    u64 base = 0;
    ASSERT_TRUE(dt.value().for_each_reg(*uart, [&](u64 b, u64) { base = b; }).ok());
    EXPECT_EQ(base, m.uart_base);
}

INSTANTIATE_TEST_SUITE_P(Dumps, QemuDeviceTree,
                         testing::Values(Machine{"riscv64-virt.dtb", 0x80000000, 256ull << 20, 1,
                                                 10000000, "ns16550a", 0x10000000},
                                         Machine{"riscv64-virt-smp4-1g.dtb", 0x80000000, 1ull << 30,
                                                 4, 10000000, "ns16550a", 0x10000000},
                                         Machine{"aarch64-virt.dtb", 0x40000000, 256ull << 20, 1, 0,
                                                 "arm,pl011", 0x09000000},
                                         Machine{"aarch64-virt-gicv3-smp4-4g.dtb", 0x40000000,
                                                 4ull << 30, 4, 0, "arm,pl011", 0x09000000}),
                         [](const testing::TestParamInfo<Machine>& info) {
                             std::string name = info.param.file;
                             for (char& c : name) {
                                 if (!isalnum(static_cast<unsigned char>(c))) {
                                     c = '_';
                                 }
                             }
                             return name;
                         });

TEST(DeviceTree, RiscvFirmwareReservationIsHonoured) {
    Parsed p = parse(load("riscv64-virt.dtb"), 0x8fe00000);
    // QEMU's virt tree has no reserved-memory node before OpenSBI adds one; the first usable
    // byte is the start of RAM unless a reservation says otherwise.
    ASSERT_FALSE(p.map.empty());
    EXPECT_EQ(p.map[0].base, 0x80000000u);
}

TEST(DeviceTree, DamagedBlobsAreRefused) {
    std::vector<u8> good = load("riscv64-virt.dtb");
    BootInfo info;
    MemoryMapBuilder builder;

    std::vector<u8> bad_magic = good;
    bad_magic[0] ^= 0xff;
    EXPECT_TRUE(parse_device_tree(bytes_of(bad_magic), 0x1000, info, builder).is_error());

    std::vector<u8> truncated(good.begin(), good.begin() + 64);
    EXPECT_TRUE(parse_device_tree(bytes_of(truncated), 0x1000, info, builder).is_error());

    std::vector<u8> tiny(good.begin(), good.begin() + 8);
    EXPECT_TRUE(parse_device_tree(bytes_of(tiny), 0x1000, info, builder).is_error());

    std::vector<u8> empty;
    EXPECT_TRUE(parse_device_tree(bytes_of(empty), 0x1000, info, builder).is_error());
}

TEST(DeviceTree, CorruptedStructureNeverReadsOutOfBounds) {
    // Flip bytes across the structure block: every parse must end (ok or EINVAL) without ASan
    // reporting a read outside the blob.
    std::vector<u8> good = load("aarch64-virt.dtb");
    u32 total = read_be<u32>(bytes_of(good), 4);
    std::vector<u8> blob(good.begin(), good.begin() + total);
    usize refused = 0;
    for (usize at = 0; at < blob.size(); at += 97) {
        std::vector<u8> damaged = blob;
        damaged[at] ^= 0x5a;
        BootInfo info;
        MemoryMapBuilder builder;
        refused += parse_device_tree(bytes_of(damaged), 0x1000, info, builder).is_error();
    }
    EXPECT_GT(refused, 0u); // header damage at least is caught
}

} // namespace
} // namespace keel::boot
