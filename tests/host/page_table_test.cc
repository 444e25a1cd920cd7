// The page-table engine on simulated physical memory, once per PTE format: map, translate,
// protect and unmap round trips, large pages where aligned, splitting, permission and memory-type
// bits, error cases, and no table leaked.
#include "mm/page_table.h"

#include "arch/aarch64/include/arch/pte_format.h"
#include "arch/riscv64/include/arch/pte_format.h"
#include "arch/x86_64/include/arch/pte_format.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

using namespace keel;
using namespace keel::mm;

namespace {

// Tables live in a map keyed by their "physical" address; a cap makes ENOMEM testable.
class SimMemory {
public:
    explicit SimMemory(usize max_tables = 100000) : max_tables_(max_tables) {}

    Span<u64> entries(u64 phys) {
        auto it = tables_.find(phys);
        EXPECT_NE(it, tables_.end()) << "walk reached a table that does not exist";
        return Span<u64>::from_raw(it->second.data(), table_entries);
    }
    Result<u64> allocate_table() {
        if (tables_.size() >= max_tables_) {
            return Errno::enomem;
        }
        u64 phys = next_;
        next_ += page_size;
        tables_[phys].assign(table_entries, 0);
        return phys;
    }
    void free_table(u64 phys) { EXPECT_EQ(tables_.erase(phys), 1u); }
    void flush(uptr va) { flushed.insert(va); }
    void publish(uptr va) { published.insert(va); }
    void complete_flushes() { ++completions; }

    usize tables() const { return tables_.size(); }
    void set_max_tables(usize n) { max_tables_ = n; }
    std::set<uptr> flushed;
    std::set<uptr> published;
    usize completions = 0;

private:
    std::map<u64, std::vector<u64>> tables_;
    u64 next_ = 0x7000'0000'0000; // far from the addresses the tests map
    usize max_tables_;
};

template <typename Format>
struct Fixture {
    SimMemory memory;
    PageTable<Format, SimMemory> table;
    explicit Fixture(Format format) : table(format, memory, memory.allocate_table().value()) {}
};

// One named configuration per MMU, with the user and kernel addresses it can map.
struct X86 {
    static arch::X86PteFormat format() { return arch::X86PteFormat(true); }
    static constexpr uptr kernel = 0xffff'8000'0000'0000;
};
struct X86NoGigapages {
    static arch::X86PteFormat format() { return arch::X86PteFormat(false); }
    static constexpr uptr kernel = 0xffff'8000'0000'0000;
};
struct Sv39 {
    static arch::RiscvPteFormat format() { return arch::RiscvPteFormat(3, true); }
    static constexpr uptr kernel = 0xffff'ffc0'0000'0000;
};
struct Sv48 {
    static arch::RiscvPteFormat format() { return arch::RiscvPteFormat(4, true); }
    static constexpr uptr kernel = 0xffff'8000'0000'0000;
};
struct Aarch64 {
    static arch::Aarch64PteFormat format() { return arch::Aarch64PteFormat(); }
    static constexpr uptr kernel = 0xffff'0000'0000'0000;
};

template <typename Config>
class PageTableTest : public ::testing::Test {
protected:
    using Format = decltype(Config::format());
    SimMemory memory;
    PageTable<Format, SimMemory> table{Config::format(), memory, memory.allocate_table().value()};

    static constexpr u64 mib = 1 << 20;
    static constexpr u64 gib = u64{1} << 30;
    static constexpr PageAttrs rw = PageAttrs::kernel(Perms::read_write);
    static constexpr PageAttrs user_rx = PageAttrs::user_page(Perms::read_exec);

    std::vector<Mapping> leaves(uptr va, u64 size) {
        std::vector<Mapping> out;
        table.for_each(va, size, [&](const Mapping& m) { out.push_back(m); });
        return out;
    }
};

using Configs = ::testing::Types<X86, X86NoGigapages, Sv39, Sv48, Aarch64>;
TYPED_TEST_SUITE(PageTableTest, Configs);

TYPED_TEST(PageTableTest, MapTranslateUnmapRoundTrip) {
    uptr va = 0x40'0000'3000;
    ASSERT_TRUE(this->table.map(va, 0x8123'4000, 3 * page_size, this->user_rx).ok());
    EXPECT_EQ(this->table.translate(va + 0x10).value(), 0x8123'4010u);
    EXPECT_EQ(this->table.translate(va + 2 * page_size + 5).value(), 0x8123'6005u);
    EXPECT_FALSE(this->table.translate(va + 3 * page_size).has_value());
    Optional<Mapping> m = this->table.query(va + page_size);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->size, page_size);
    EXPECT_TRUE(m->attrs == this->user_rx);

    std::vector<u64> unmapped;
    ASSERT_TRUE(
        this->table.unmap(va, 3 * page_size, [&](const Mapping& g) { unmapped.push_back(g.phys); })
            .ok());
    EXPECT_EQ(unmapped, (std::vector<u64>{0x8123'4000, 0x8123'5000, 0x8123'6000}));
    EXPECT_FALSE(this->table.translate(va).has_value());
    EXPECT_EQ(this->memory.tables(), 1u) << "empty tables must be freed, the root kept";
    EXPECT_TRUE(this->memory.flushed.count(va + page_size));
}

TYPED_TEST(PageTableTest, KernelHalfAddressesIndexTheTopOfTheRoot) {
    uptr va = TypeParam::kernel + 0x20'0000;
    ASSERT_TRUE(this->table.map(va, 0x20'0000, page_size, this->rw).ok());
    EXPECT_EQ(this->table.translate(va).value(), 0x20'0000u);
    if (!TestFixture::Format::separate_kernel_root) {
        EXPECT_FALSE(this->table.translate(0x20'0000).has_value()); // a different root entry
    }
}

TYPED_TEST(PageTableTest, AlignedRangesUseLargePages) {
    uptr va = 0x80'0000'0000;
    u64 size = 2 * this->gib + 4 * this->mib + 2 * page_size;
    ASSERT_TRUE(this->table.map(va, 0x1'0000'0000, size, this->rw).ok());
    std::vector<Mapping> got = this->leaves(va, size);
    usize gig = 0, two_meg = 0, small = 0;
    for (const Mapping& m : got) {
        (m.size == this->gib ? gig : m.size == 2 * this->mib ? two_meg : small) += 1;
    }
    if (this->table.format().max_leaf_level() >= 2) {
        EXPECT_EQ(gig, 2u);
        EXPECT_EQ(two_meg, 2u);
    } else {
        EXPECT_EQ(gig, 0u);
        EXPECT_EQ(two_meg, 1026u);
    }
    EXPECT_EQ(small, 2u);
    EXPECT_EQ(this->table.translate(va + this->gib + 0x1234).value(), 0x1'4000'1234u);
}

TYPED_TEST(PageTableTest, MisalignedPhysicalAddressesFallBackToSmallPages) {
    uptr va = 0x4000'0000;
    ASSERT_TRUE(this->table.map(va, 0x1000, 2 * this->mib, this->rw).ok());
    EXPECT_EQ(this->leaves(va, 2 * this->mib).size(), 512u);
}

TYPED_TEST(PageTableTest, PartialUnmapSplitsALargePage) {
    uptr va = 0x4000'0000;
    ASSERT_TRUE(this->table.map(va, 0x4000'0000, 2 * this->mib, this->rw).ok());
    ASSERT_EQ(this->leaves(va, 2 * this->mib).size(), 1u);
    u64 reported = 0;
    this->memory.completions = 0;
    ASSERT_TRUE(
        this->table.unmap(va + 0x1000, page_size, [&](const Mapping& m) { reported += m.size; })
            .ok());
    EXPECT_EQ(reported, page_size);
    // Break before make: the large leaf's removal reached every CPU before the table went in.
    EXPECT_EQ(this->memory.completions, 1u);
    EXPECT_EQ(this->leaves(va, 2 * this->mib).size(), 511u);
    EXPECT_FALSE(this->table.translate(va + 0x1000).has_value());
    EXPECT_EQ(this->table.translate(va + 0x2000).value(), 0x4000'2000u);
    EXPECT_TRUE(this->table.query(va + 0x2000)->attrs == this->rw);
}

TYPED_TEST(PageTableTest, ProtectChangesPermissionsAndKeepsTheRest) {
    uptr va = 0x10'0000;
    ASSERT_TRUE(this->table.map(va, 0x200'0000, 4 * page_size, this->user_rx).ok());
    ASSERT_TRUE(this->table.protect(va + page_size, 2 * page_size, Perms::read_write).ok());
    EXPECT_EQ(this->table.query(va)->attrs.perms, Perms::read_exec);
    PageAttrs changed = this->table.query(va + page_size)->attrs;
    EXPECT_EQ(changed.perms, Perms::read_write);
    EXPECT_TRUE(changed.user);
    EXPECT_EQ(this->table.query(va + 3 * page_size)->attrs.perms, Perms::read_exec);
    EXPECT_EQ(this->table.translate(va + 2 * page_size).value(), 0x200'2000u);
}

TYPED_TEST(PageTableTest, EveryAttributeCombinationRoundTrips) {
    uptr va = 0x100'0000;
    for (Perms perms : {Perms::read, Perms::read_write, Perms::read_exec, Perms::all}) {
        for (bool user : {false, true}) {
            for (MemType type : {MemType::normal, MemType::device}) {
                if (user && type == MemType::device) {
                    continue; // user mappings are always normal memory
                }
                PageAttrs attrs{perms, user, !user, type};
                ASSERT_TRUE(this->table.map(va, 0x900'0000, page_size, attrs).ok());
                EXPECT_TRUE(this->table.query(va)->attrs == attrs)
                    << "perms " << static_cast<int>(perms) << " user " << user << " type "
                    << static_cast<int>(type);
                ASSERT_TRUE(this->table.unmap(va, page_size, [](const Mapping&) {}).ok());
            }
        }
    }
}

TYPED_TEST(PageTableTest, BadArgumentsAreRejected) {
    EXPECT_EQ(this->table.map(0x1001, 0x1000, page_size, this->rw).error(), Errno::einval);
    EXPECT_EQ(this->table.map(0x1000, 0x1001, page_size, this->rw).error(), Errno::einval);
    EXPECT_EQ(this->table.map(0x1000, 0x1000, 0, this->rw).error(), Errno::einval);
    EXPECT_EQ(this->table.map(0x1000, 0x1000, page_size, PageAttrs::kernel(Perms::write)).error(),
              Errno::einval);
    EXPECT_EQ(this->table.map(~uptr{0} - page_size + 1, 0, 2 * page_size, this->rw).error(),
              Errno::einval); // wraps
    EXPECT_EQ(this->table.protect(0x1000, page_size, Perms::none).error(), Errno::einval);
}

TYPED_TEST(PageTableTest, OverlappingMapIsEexistAndChangesNothing) {
    uptr va = 0x20'0000;
    ASSERT_TRUE(this->table.map(va + 5 * page_size, 0x5000, page_size, this->rw).ok());
    EXPECT_EQ(this->table.map(va, 0x10'0000, 8 * page_size, this->rw).error(), Errno::eexist);
    EXPECT_EQ(this->table.translate(va + 5 * page_size).value(), 0x5000u);
    // A large page covering the range is found too.
    ASSERT_TRUE(this->table.map(0x4000'0000, 0x4000'0000, 2 * this->mib, this->rw).ok());
    EXPECT_EQ(this->table.map(0x4000'1000, 0x1000, page_size, this->rw).error(), Errno::eexist);
}

TYPED_TEST(PageTableTest, OutOfTablesUndoesThePartialMap) {
    this->memory.set_max_tables(3); // root + two: not enough for a range crossing a 1 GiB line
    uptr va = 0x4000'0000 - 2 * page_size;
    EXPECT_EQ(this->table.map(va, 0x1000'0000, 4 * page_size, this->rw).error(), Errno::enomem);
    EXPECT_TRUE(this->leaves(0, 0x8000'0000).empty());
    EXPECT_EQ(this->memory.tables(), 1u);
}

TYPED_TEST(PageTableTest, UnmapOfHolesIsHarmless) {
    std::vector<Mapping> none_seen;
    ASSERT_TRUE(
        this->table.unmap(0x1000, 64 * this->mib, [&](const Mapping& m) { none_seen.push_back(m); })
            .ok());
    EXPECT_TRUE(none_seen.empty());
    EXPECT_EQ(this->memory.tables(), 1u);
}

} // namespace
