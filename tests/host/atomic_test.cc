// keel::Atomic: exact counts from several threads at once, and compare-exchange's two outcomes.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include <keel/ktl/atomic.h>

using namespace keel;

TEST(Atomic, ConcurrentAddsAndOrsLoseNothing) {
    Atomic<u64> count{0};
    Atomic<u64> bits{0};
    std::vector<std::thread> threads;
    for (u64 t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100000; ++i) {
                count.fetch_add(1, MemoryOrder::relaxed);
            }
            bits.fetch_or(u64{1} << t);
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    EXPECT_EQ(count.load(), 400000u);
    EXPECT_EQ(bits.load(), 0xfu);
    EXPECT_EQ(count.fetch_sub(400000), 400000u);
    EXPECT_EQ(count.load(), 0u);
}

TEST(Atomic, CompareExchangeSwapsOnlyTheExpectedValue) {
    Atomic<i32> word{5};
    i32 expected = 4;
    EXPECT_FALSE(word.compare_exchange(expected, 9, MemoryOrder::acq_rel));
    EXPECT_EQ(expected, 5); // what was found
    EXPECT_EQ(word.load(), 5);
    EXPECT_TRUE(word.compare_exchange(expected, 9, MemoryOrder::release));
    EXPECT_EQ(word.load(MemoryOrder::acquire), 9);
    EXPECT_EQ(word.exchange(1), 9);
    EXPECT_EQ(word.fetch_and(0), 1);
}
