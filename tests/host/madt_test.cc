// The x86 MADT parser on tables built byte by byte: what QEMU's q35 gives, the 64-bit local APIC
// override, and damaged tables (short, truncated entries, zero-length entries) refused.
#include "arch/x86_64/madt.h"

#include <gtest/gtest.h>

#include <vector>

using namespace keel;
using keel::x86::Madt;

namespace {

class TableBuilder {
public:
    TableBuilder() : bytes_(44, 0) {
        bytes_[0] = 'A', bytes_[1] = 'P', bytes_[2] = 'I', bytes_[3] = 'C';
        put32(36, 0xfee00000);
        put32(40, 1); // PCAT_COMPAT
    }
    TableBuilder& entry(std::vector<u8> e) {
        bytes_.insert(bytes_.end(), e.begin(), e.end());
        put32(4, static_cast<u32>(bytes_.size()));
        return *this;
    }
    void put32(usize at, u32 v) {
        for (int i = 0; i < 4; ++i) {
            bytes_[at + i] = static_cast<u8>(v >> (8 * i));
        }
    }
    Bytes bytes() const { return Bytes::from_raw(bytes_.data(), bytes_.size()); }
    std::vector<u8>& raw() { return bytes_; }

private:
    std::vector<u8> bytes_;
};

std::vector<u8> local_apic(u8 uid, u8 id, u8 flags) { return {0, 8, uid, id, flags, 0, 0, 0}; }
std::vector<u8> io_apic(u8 id, u32 addr, u32 gsi_base) {
    return {1,
            12,
            id,
            0,
            static_cast<u8>(addr),
            static_cast<u8>(addr >> 8),
            static_cast<u8>(addr >> 16),
            static_cast<u8>(addr >> 24),
            static_cast<u8>(gsi_base),
            0,
            0,
            0};
}
std::vector<u8> override_entry(u8 irq, u8 gsi, u16 flags) {
    return {2, 10, 0, irq, gsi, 0, 0, 0, static_cast<u8>(flags), static_cast<u8>(flags >> 8)};
}

TableBuilder q35_like() {
    TableBuilder t;
    t.entry(local_apic(0, 0, 1))
        .entry(local_apic(1, 1, 0)) // disabled and not online-capable: not a CPU
        .entry(io_apic(0, 0xfec00000, 0))
        .entry(override_entry(0, 2, 0))
        .entry(override_entry(9, 9, 0xd))
        .entry({4, 6, 0xff, 5, 0, 1}); // NMI on LINT1 of every processor
    return t;
}

TEST(Madt, ParsesWhatQemuDescribes) {
    TableBuilder t = q35_like();
    Result<Madt> m = x86::parse_madt(t.bytes());
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().local_apic_phys, 0xfee00000u);
    EXPECT_TRUE(m.value().has_8259);
    EXPECT_EQ(m.value().cpu_count, 1u);
    ASSERT_EQ(m.value().io_apics.size(), 1u);
    EXPECT_EQ(m.value().io_apics[0].phys, 0xfec00000u);
    ASSERT_EQ(m.value().overrides.size(), 2u);
    EXPECT_EQ(m.value().overrides[0].isa_irq, 0);
    EXPECT_EQ(m.value().overrides[0].gsi, 2u);
    EXPECT_EQ(m.value().overrides[1].flags, 0xd);
    ASSERT_EQ(m.value().local_nmis.size(), 1u);
    EXPECT_EQ(m.value().local_nmis[0].lint, 1);
}

TEST(Madt, TheSixtyFourBitAddressEntryWins) {
    TableBuilder t = q35_like();
    t.entry({5, 12, 0, 0, 0x00, 0x00, 0xe0, 0xfe, 0x01, 0, 0, 0}); // 0x1fee00000
    EXPECT_EQ(x86::parse_madt(t.bytes()).value().local_apic_phys, 0x1fee00000u);
}

TEST(Madt, DamagedTablesAreRefused) {
    TableBuilder t = q35_like();
    std::vector<u8> full = t.raw();
    for (usize cut = 0; cut < full.size(); ++cut) {
        Bytes shorter = Bytes::from_raw(full.data(), cut);
        Result<Madt> m = x86::parse_madt(shorter);
        // Cutting inside an entry or the header is an error; cutting between entries is a
        // shorter, valid table.
        if (m.ok()) {
            EXPECT_GE(cut, 44u);
        }
    }
    TableBuilder zero_length;
    zero_length.entry({0, 0, 0, 0});
    EXPECT_EQ(x86::parse_madt(zero_length.bytes()).error(), Errno::einval);
    TableBuilder running_past;
    running_past.entry({1, 40, 0, 0});
    EXPECT_EQ(x86::parse_madt(running_past.bytes()).error(), Errno::einval);
    TableBuilder no_address;
    no_address.put32(36, 0);
    EXPECT_EQ(x86::parse_madt(no_address.bytes()).error(), Errno::einval);
}

TEST(Madt, TooManyIoApicsIsAnErrorNotAnOverflow) {
    TableBuilder t;
    for (u8 i = 0; i < 9; ++i) {
        t.entry(io_apic(i, 0xfec00000 + i * 0x1000, i * 24u));
    }
    EXPECT_TRUE(x86::parse_madt(t.bytes()).is_error());
}

} // namespace
