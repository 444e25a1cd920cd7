#include <gtest/gtest.h>

#include "boot/memory_map.h"

namespace keel::boot {
namespace {

using Map = FixedVector<MemoryRegion, BootInfo::max_regions>;

Map build(std::initializer_list<MemoryRegion> inputs) {
    MemoryMapBuilder builder;
    for (const MemoryRegion& r : inputs) {
        EXPECT_TRUE(builder.add(r.base, r.size, r.kind).ok());
    }
    Map out;
    EXPECT_TRUE(builder.build(out).ok());
    return out;
}

void expect_region(const Map& map, usize i, u64 base, u64 size, MemoryKind kind) {
    ASSERT_LT(i, map.size());
    EXPECT_EQ(map[i].base, base) << "region " << i;
    EXPECT_EQ(map[i].size, size) << "region " << i;
    EXPECT_EQ(map[i].kind, kind) << "region " << i;
}

TEST(MemoryMap, ReservationsAreCarvedOutOfRam) {
    Map map = build({{0x80000000, 0x10000000, MemoryKind::Usable},
                     {0x80000000, 0x80000, MemoryKind::Reserved},
                     {0x80200000, 0x100000, MemoryKind::KernelImage},
                     {0x8fe00000, 0x2000, MemoryKind::DeviceTree}});
    ASSERT_EQ(map.size(), 6u);
    expect_region(map, 0, 0x80000000, 0x80000, MemoryKind::Reserved);
    expect_region(map, 1, 0x80080000, 0x180000, MemoryKind::Usable);
    expect_region(map, 2, 0x80200000, 0x100000, MemoryKind::KernelImage);
    expect_region(map, 3, 0x80300000, 0xfb00000, MemoryKind::Usable);
    expect_region(map, 4, 0x8fe00000, 0x2000, MemoryKind::DeviceTree);
    expect_region(map, 5, 0x8fe02000, 0x1fe000, MemoryKind::Usable);
}

TEST(MemoryMap, InputOrderDoesNotMatter) {
    Map a = build({{0x1000, 0x9000, MemoryKind::Usable}, {0x3000, 0x1000, MemoryKind::Initrd}});
    Map b = build({{0x3000, 0x1000, MemoryKind::Initrd}, {0x1000, 0x9000, MemoryKind::Usable}});
    ASSERT_EQ(a.size(), b.size());
    for (usize i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].base, b[i].base);
        EXPECT_EQ(a[i].size, b[i].size);
        EXPECT_EQ(a[i].kind, b[i].kind);
    }
}

TEST(MemoryMap, MostRestrictiveKindWinsWhereRangesOverlap) {
    Map map = build({{0x0, 0x10000, MemoryKind::Usable},
                     {0x4000, 0x4000, MemoryKind::AcpiReclaimable},
                     {0x6000, 0x4000, MemoryKind::AcpiNvs}});
    ASSERT_EQ(map.size(), 4u);
    expect_region(map, 1, 0x4000, 0x2000, MemoryKind::AcpiReclaimable);
    expect_region(map, 2, 0x6000, 0x4000, MemoryKind::AcpiNvs);
    expect_region(map, 3, 0xa000, 0x6000, MemoryKind::Usable);
}

TEST(MemoryMap, UsableMemoryIsWholePagesOnly) {
    // RAM that starts and ends mid-page, and a reservation ending mid-page.
    Map map = build({{0x1234, 0x10000, MemoryKind::Usable}, {0x5000, 0x800, MemoryKind::BootInfo}});
    for (const MemoryRegion& r : map) {
        if (r.kind == MemoryKind::Usable) {
            EXPECT_EQ(r.base % 4096, 0u);
            EXPECT_EQ(r.size % 4096, 0u);
        }
    }
    expect_region(map, 0, 0x2000, 0x3000, MemoryKind::Usable);
    expect_region(map, 1, 0x5000, 0x800, MemoryKind::BootInfo);
    expect_region(map, 2, 0x6000, 0xb000, MemoryKind::Usable);
}

TEST(MemoryMap, AdjacentRangesOfOneKindMerge) {
    Map map = build({{0x0, 0x4000, MemoryKind::Usable}, {0x4000, 0x4000, MemoryKind::Usable}});
    ASSERT_EQ(map.size(), 1u);
    expect_region(map, 0, 0x0, 0x8000, MemoryKind::Usable);
}

TEST(MemoryMap, EmptyAndWrappingRangesAreIgnored) {
    Map map = build({{0x1000, 0, MemoryKind::Usable},
                     {~u64{0} - 0xfff, 0x2000, MemoryKind::Usable},
                     {0x10000, 0x1000, MemoryKind::Usable}});
    ASSERT_EQ(map.size(), 1u);
    expect_region(map, 0, 0x10000, 0x1000, MemoryKind::Usable);
}

TEST(MemoryMap, TooManyInputsIsAnErrorNotACorruption) {
    MemoryMapBuilder builder;
    for (usize i = 0; i < MemoryMapBuilder::max_inputs; ++i) {
        ASSERT_TRUE(builder.add(i * 0x2000, 0x1000, MemoryKind::Usable).ok());
    }
    Result<void> r = builder.add(0x10000000, 0x1000, MemoryKind::Usable);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Errno::enospc);
    Map out;
    // 192 disjoint regions do not fit the 128 of BootInfo: reported, not truncated silently.
    Result<void> built = builder.build(out);
    ASSERT_TRUE(built.is_error());
    EXPECT_EQ(built.error(), Errno::enospc);
}

} // namespace
} // namespace keel::boot

namespace keel::boot {
namespace {

TEST(MemoryMap, SpecificReservationsKeepTheirNameInsideFirmwareReservations) {
    // U-Boot lists the initrd in /memreserve/ as well: the map still calls it the initrd.
    MemoryMapBuilder builder;
    ASSERT_TRUE(builder.add(0x40000000, 0x10000000, MemoryKind::Usable).ok());
    ASSERT_TRUE(builder.add(0x4dd99000, 0x20000, MemoryKind::Reserved).ok());
    ASSERT_TRUE(builder.add(0x4dd99000, 0x20000, MemoryKind::Initrd).ok());
    FixedVector<MemoryRegion, BootInfo::max_regions> map;
    ASSERT_TRUE(builder.build(map).ok());
    ASSERT_EQ(map.size(), 3u);
    EXPECT_EQ(map[1].kind, MemoryKind::Initrd);
}

} // namespace
} // namespace keel::boot
