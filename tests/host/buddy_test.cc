// The buddy allocator on a frame table alone: random allocation and free sequences, coalescing,
// exhaustion, and no page lost or handed out twice.
#include "mm/buddy.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

using namespace keel;
using namespace keel::mm;

namespace {

struct Pool {
    std::vector<PageInfo> info;
    BuddyAllocator buddy;

    Pool(u64 first_pfn, u64 pages) : info(pages) {
        EXPECT_TRUE(
            buddy.add_section(first_pfn, Span<PageInfo>::from_raw(info.data(), pages)).ok());
        buddy.release_range(first_pfn, pages);
    }
};

TEST(Buddy, WholeSectionCoalescesIntoMaximalBlocks) {
    Pool pool(1024, 4096); // 16 MiB at 4 MiB: four blocks of order 10
    EXPECT_EQ(pool.buddy.free_count(), 4096u);
    EXPECT_EQ(pool.buddy.free_blocks(BuddyAllocator::max_order), 4u);
}

TEST(Buddy, UnalignedSectionUsesSmallerBlocksAtItsEdges) {
    Pool pool(1023, 1026); // pages 1023 .. 2048: order 0, order 10, order 0
    EXPECT_EQ(pool.buddy.free_count(), 1026u);
    EXPECT_EQ(pool.buddy.free_blocks(10), 1u);
    EXPECT_EQ(pool.buddy.free_blocks(0), 2u);
}

TEST(Buddy, BlocksAreAlignedToTheirSize) {
    Pool pool(0, 2048);
    for (u32 order : {0u, 3u, 1u, 7u, 2u, 9u}) {
        Result<u64> pfn = pool.buddy.allocate(order);
        ASSERT_TRUE(pfn.ok());
        EXPECT_EQ(pfn.value() % (u64{1} << order), 0u) << "order " << order;
    }
}

TEST(Buddy, FreeingEverythingRestoresTheInitialBlocks) {
    Pool pool(4096, 8192);
    std::vector<std::pair<u64, u32>> held;
    for (int i = 0; i < 100; ++i) {
        u32 order = static_cast<u32>(i % 5);
        Result<u64> pfn = pool.buddy.allocate(order);
        ASSERT_TRUE(pfn.ok());
        held.emplace_back(pfn.value(), order);
    }
    for (auto [pfn, order] : held) {
        pool.buddy.free(pfn, order);
    }
    EXPECT_EQ(pool.buddy.free_count(), 8192u);
    EXPECT_EQ(pool.buddy.free_blocks(BuddyAllocator::max_order), 8u);
}

TEST(Buddy, ExhaustionIsAnErrorAndRecovers) {
    Pool pool(0, 64);
    std::vector<u64> pages;
    for (;;) {
        Result<u64> pfn = pool.buddy.allocate(0);
        if (pfn.is_error()) {
            EXPECT_EQ(pfn.error(), Errno::enomem);
            break;
        }
        pages.push_back(pfn.value());
    }
    EXPECT_EQ(pages.size(), 64u);
    EXPECT_EQ(pool.buddy.free_count(), 0u);
    EXPECT_EQ(pool.buddy.allocate(BuddyAllocator::max_order + 1).error(), Errno::enomem);
    pool.buddy.free(pages.back(), 0);
    EXPECT_TRUE(pool.buddy.allocate(0).ok());
}

TEST(Buddy, OddSizedRunsReturnTheirTail) {
    Pool pool(0, 1024);
    Result<u64> run = pool.buddy.allocate_pages(5); // from an order-3 block: 3 pages go back
    ASSERT_TRUE(run.ok());
    EXPECT_EQ(pool.buddy.free_count(), 1024u - 5);
    pool.buddy.free_pages(run.value(), 5);
    EXPECT_EQ(pool.buddy.free_count(), 1024u);
    EXPECT_EQ(pool.buddy.free_blocks(10), 1u);
}

TEST(Buddy, SectionsNeverMergeAcrossEachOther) {
    std::vector<PageInfo> a(512), b(512);
    BuddyAllocator buddy;
    ASSERT_TRUE(buddy.add_section(0, Span<PageInfo>::from_raw(a.data(), 512)).ok());
    ASSERT_TRUE(buddy.add_section(512, Span<PageInfo>::from_raw(b.data(), 512)).ok());
    EXPECT_FALSE(buddy.add_section(100, Span<PageInfo>::from_raw(b.data(), 10)).ok()); // overlap
    buddy.release_range(0, 512);
    buddy.release_range(512, 512);
    EXPECT_EQ(buddy.free_blocks(9), 2u); // buddies by address, but in different sections
    EXPECT_EQ(buddy.free_blocks(10), 0u);
    EXPECT_EQ(buddy.info(2000), nullptr);
}

TEST(Buddy, RandomSequencesNeverOverlapOrLeak) {
    Pool pool(256, 3000);
    std::mt19937 rng(42);
    std::vector<std::pair<u64, u64>> held; // pfn, pages
    std::set<u64> owned;
    for (int step = 0; step < 20000; ++step) {
        if (held.empty() || rng() % 3 != 0) {
            u64 n = 1 + rng() % 40;
            Result<u64> pfn = pool.buddy.allocate_pages(n);
            if (pfn.is_error()) {
                continue;
            }
            for (u64 p = pfn.value(); p < pfn.value() + n; ++p) {
                ASSERT_TRUE(p >= 256 && p < 256 + 3000);
                ASSERT_TRUE(owned.insert(p).second) << "page " << p << " handed out twice";
                ASSERT_EQ(pool.buddy.info(p)->state, PageState::allocated);
            }
            held.emplace_back(pfn.value(), n);
        } else {
            usize k = rng() % held.size();
            auto [pfn, n] = held[k];
            held.erase(held.begin() + static_cast<long>(k));
            for (u64 p = pfn; p < pfn + n; ++p) {
                owned.erase(p);
            }
            pool.buddy.free_pages(pfn, n);
        }
        ASSERT_EQ(pool.buddy.free_count() + owned.size(), 3000u);
    }
    for (auto [pfn, n] : held) {
        pool.buddy.free_pages(pfn, n);
    }
    EXPECT_EQ(pool.buddy.free_count(), 3000u);
}

} // namespace
