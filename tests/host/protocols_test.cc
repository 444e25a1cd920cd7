// PVH and multiboot2 parsing on synthetic boot structures, good and malformed.
#include <gtest/gtest.h>

#include "boot/protocols.h"
#include "fake_phys.h"

namespace keel::boot {
namespace {

using test::FakePhys;
constexpr u64 base = 0x1000;

// A PVH start_info at 0x2000 with cmdline at 0x3000, a 3-entry E820 map at 0x4000, a module.
FakePhys make_pvh() {
    FakePhys mem(base, 0x10000);
    mem.put<u32>(0x2000, pvh_magic);
    mem.put<u32>(0x2004, 1);       // version
    mem.put<u32>(0x200c, 1);       // nr_modules
    mem.put<u64>(0x2010, 0x5000);  // modlist
    mem.put<u64>(0x2018, 0x3000);  // cmdline
    mem.put<u64>(0x2020, 0xf5a40); // rsdp
    mem.put<u64>(0x2028, 0x4000);  // memmap
    mem.put<u32>(0x2030, 3);       // memmap entries
    mem.put_string(0x3000, "console=ttyS0 ktest");
    u64 e820[3][3] = {{0x0, 0x9fc00, 1}, {0xf0000, 0x10000, 2}, {0x100000, 0x7ee0000, 1}};
    for (int i = 0; i < 3; ++i) {
        mem.put<u64>(0x4000 + 24 * i, e820[i][0]);
        mem.put<u64>(0x4008 + 24 * i, e820[i][1]);
        mem.put<u32>(0x4010 + 24 * i, static_cast<u32>(e820[i][2]));
    }
    mem.put<u64>(0x5000, 0x2000000); // module paddr
    mem.put<u64>(0x5008, 0x123456);  // module size
    return mem;
}

TEST(Pvh, StartInfoBecomesBootInfo) {
    FakePhys mem = make_pvh();
    BootInfo info;
    MemoryMapBuilder map;
    ASSERT_TRUE(parse_pvh(mem, 0x2000, info, map).ok());
    ASSERT_TRUE(map.build(info.memory).ok());
    EXPECT_EQ(info.protocol, BootProtocol::Pvh);
    EXPECT_TRUE(info.cmdline.view() == StringView("console=ttyS0 ktest"));
    ASSERT_TRUE(info.acpi_rsdp.has_value());
    EXPECT_EQ(*info.acpi_rsdp, 0xf5a40u);
    ASSERT_TRUE(info.initrd.has_value());
    EXPECT_EQ(info.initrd->base, 0x2000000u);
    EXPECT_EQ(info.initrd->size, 0x123456u);
    bool initrd_reserved = false;
    for (const MemoryRegion& r : info.memory) {
        initrd_reserved |= r.kind == MemoryKind::Initrd && r.base == 0x2000000;
    }
    EXPECT_TRUE(initrd_reserved);
    EXPECT_EQ(info.total_bytes(MemoryKind::Reserved), 0x10000u);
}

TEST(Pvh, BadMagicOrVersionIsRefused) {
    FakePhys mem = make_pvh();
    mem.put<u32>(0x2000, 0x12345678);
    BootInfo info;
    MemoryMapBuilder map;
    EXPECT_EQ(parse_pvh(mem, 0x2000, info, map).error(), Errno::einval);
    FakePhys v0 = make_pvh();
    v0.put<u32>(0x2004, 0);
    EXPECT_EQ(parse_pvh(v0, 0x2000, info, map).error(), Errno::einval);
}

TEST(Pvh, PointersOutsideMemoryAreRefused) {
    BootInfo info;
    MemoryMapBuilder map;
    FakePhys huge_map = make_pvh();
    huge_map.put<u32>(0x2030, 100000); // more entries than exist
    EXPECT_EQ(parse_pvh(huge_map, 0x2000, info, map).error(), Errno::einval);
    FakePhys wild_cmdline = make_pvh();
    wild_cmdline.put<u64>(0x2018, 0xdead0000);
    EXPECT_EQ(parse_pvh(wild_cmdline, 0x2000, info, map).error(), Errno::einval);
    FakePhys unterminated = make_pvh();
    unterminated.put<u64>(0x2018, base + 0x10000 - 4); // string runs off the end
    unterminated.put<u32>(base + 0x10000 - 4, 0x41414141);
    EXPECT_EQ(parse_pvh(unterminated, 0x2000, info, map).error(), Errno::einval);
    EXPECT_EQ(parse_pvh(make_pvh(), 0xffffffff00, info, map).error(), Errno::einval);
}

// Multiboot2 info at 0x2000: cmdline, bootloader name, mmap, module, new ACPI, end.
FakePhys make_multiboot2(u32 mmap_entry_size = 24) {
    FakePhys mem(base, 0x10000);
    u64 at = 0x2008;
    auto tag = [&](u32 type, u32 size) {
        mem.put<u32>(at, type);
        mem.put<u32>(at + 4, size);
        u64 start = at;
        at += (size + 7) & ~7u;
        return start;
    };
    u64 t = tag(1, 8 + 11);
    mem.put_string(t + 8, "ktest loud");
    t = tag(2, 8 + 10);
    mem.put_string(t + 8, "GRUB 2.06");
    t = tag(6, 16 + 2 * mmap_entry_size);
    mem.put<u32>(t + 8, mmap_entry_size);
    mem.put<u64>(t + 16, 0x0);
    mem.put<u64>(t + 24, 0x9f000);
    mem.put<u32>(t + 32, 1);
    mem.put<u64>(t + 16 + mmap_entry_size, 0x100000);
    mem.put<u64>(t + 24 + mmap_entry_size, 0x1000000);
    mem.put<u32>(t + 32 + mmap_entry_size, 1);
    t = tag(3, 16 + 7);
    mem.put<u32>(t + 8, 0x800000);
    mem.put<u32>(t + 12, 0x900000);
    mem.put_string(t + 16, "initrd");
    t = tag(15, 8 + 36);
    tag(0, 8);
    mem.put<u32>(0x2000, static_cast<u32>(at - 0x2000));
    return mem;
}

TEST(Multiboot2, TagsBecomeBootInfo) {
    FakePhys mem = make_multiboot2();
    BootInfo info;
    MemoryMapBuilder map;
    ASSERT_TRUE(parse_multiboot2(mem, 0x2000, info, map).ok());
    ASSERT_TRUE(map.build(info.memory).ok());
    EXPECT_EQ(info.protocol, BootProtocol::Multiboot2);
    EXPECT_TRUE(info.cmdline.view() == StringView("ktest loud"));
    EXPECT_TRUE(info.bootloader.view() == StringView("GRUB 2.06"));
    ASSERT_TRUE(info.initrd.has_value());
    EXPECT_EQ(info.initrd->base, 0x800000u);
    EXPECT_EQ(info.initrd->size, 0x100000u);
    ASSERT_TRUE(info.acpi_rsdp.has_value());
    EXPECT_EQ(info.total_bytes(MemoryKind::Initrd), 0x100000u);
    EXPECT_GT(info.total_bytes(MemoryKind::Usable), 0xe00000u);
}

TEST(Multiboot2, MalformedTagsAreRefused) {
    BootInfo info;
    MemoryMapBuilder map;
    FakePhys bad_total = make_multiboot2();
    bad_total.put<u32>(0x2000, 0x7fffffff);
    EXPECT_EQ(parse_multiboot2(bad_total, 0x2000, info, map).error(), Errno::einval);
    FakePhys bad_tag = make_multiboot2();
    bad_tag.put<u32>(0x200c, 0xfffffff0); // first tag's size runs past the info
    EXPECT_EQ(parse_multiboot2(bad_tag, 0x2000, info, map).error(), Errno::einval);
    FakePhys zero_tag = make_multiboot2();
    zero_tag.put<u32>(0x200c, 0); // a zero-size tag would loop forever
    EXPECT_EQ(parse_multiboot2(zero_tag, 0x2000, info, map).error(), Errno::einval);
    FakePhys bad_entry = make_multiboot2(20); // entries smaller than the spec's 24 bytes
    EXPECT_EQ(parse_multiboot2(bad_entry, 0x2000, info, map).error(), Errno::einval);
}

} // namespace
} // namespace keel::boot
