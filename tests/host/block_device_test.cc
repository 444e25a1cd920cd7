// Disk names as Linux gives them: vda ... vdz, vdaa ...
#include <gtest/gtest.h>

#include <string>

#include "drivers/block/block_device.h"

using namespace keel;

namespace {
std::string name_of(usize index) {
    FixedString<16> name;
    drivers::disk_name(name, "vd", index);
    return std::string(name.view().chars().data(), name.view().size());
}
} // namespace

TEST(BlockDevice, DiskNamesFollowLinux) {
    EXPECT_EQ(name_of(0), "vda");
    EXPECT_EQ(name_of(1), "vdb");
    EXPECT_EQ(name_of(25), "vdz");
    EXPECT_EQ(name_of(26), "vdaa");
    EXPECT_EQ(name_of(27), "vdab");
    EXPECT_EQ(name_of(701), "vdzz");
    EXPECT_EQ(name_of(702), "vdaaa");
}
