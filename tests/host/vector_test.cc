// keel::Vector: growth that keeps the elements, and appending a view of the vector itself
// (the old append grew first and then read the freed block: ASan's heap-use-after-free).
#include <gtest/gtest.h>

#include <keel/ktl/vector.h>

namespace keel {
namespace {

TEST(Vector, AppendingItsOwnSpanWhileGrowingCopiesTheOldElements) {
    Vector<u64> v;
    for (u64 i = 0; i < 4; ++i) {
        ASSERT_TRUE(v.push_back(i * 10).ok());
    }
    ASSERT_EQ(v.capacity(), 4u); // full: the append below must move to a new block
    ASSERT_TRUE(v.append(v.span()).ok());
    ASSERT_EQ(v.size(), 8u);
    for (u64 i = 0; i < 8; ++i) {
        EXPECT_EQ(v[i], (i % 4) * 10) << "element " << i;
    }
}

TEST(Vector, AppendingItsOwnSpanWithRoomLeft) {
    Vector<u64> v;
    ASSERT_TRUE(v.reserve(16).ok());
    ASSERT_TRUE(v.push_back(7).ok());
    ASSERT_TRUE(v.push_back(8).ok());
    ASSERT_TRUE(v.append(v.span()).ok());
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[2], 7u);
    EXPECT_EQ(v[3], 8u);
}

} // namespace
} // namespace keel
