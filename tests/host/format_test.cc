#include <gtest/gtest.h>

#include <string>

#include <keel/boot_info.h>
#include <keel/cmdline.h>
#include <keel/ktl/byte_ring.h>
#include <keel/ktl/format.h>

namespace keel {
namespace {

template <typename... Args>
std::string fmt(StringView f, const Args&... args) {
    FixedString<256> out;
    format(out, f, args...);
    return std::string(out.view().chars().data(), out.view().size());
}

TEST(Format, Placeholders) {
    EXPECT_EQ(fmt("a {} b {}", 1, StringView("x")), "a 1 b x");
    EXPECT_EQ(fmt("{:x} {:#x} {:08x}", 255u, 255u, 0xabcu), "ff 0xff 00000abc");
    EXPECT_EQ(fmt("{:#018x}", u64{0xffffffff80000000}), "0xffffffff80000000");
    EXPECT_EQ(fmt("{} {}", -42, i64{-9223372036854775807 - 1}), "-42 -9223372036854775808");
    EXPECT_EQ(fmt("[{:5}] [{:<5}] [{:05}]", 42, 42, 42), "[   42] [42   ] [00042]");
    EXPECT_EQ(fmt("{} {}", true, 'c'), "true c");
    EXPECT_EQ(fmt("{{}} {}", 1), "{} 1");
    EXPECT_EQ(fmt("{} {}", 1), "1 {?}");
    EXPECT_EQ(fmt("{}", MemoryKind::KernelImage), "kernel");
    EXPECT_EQ(fmt("{}", Errno::efault), "EFAULT");
}

TEST(Format, FixedStringTruncates) {
    FixedString<4> out;
    format(out, "{}", StringView("abcdefgh"));
    EXPECT_EQ(out.view().size(), 4u);
}

TEST(CommandLine, WordsValuesQuotesAndInitArguments) {
    CommandLine line(
        "  console=ttyS0  ktest=boot.  x=\"a b c\" quiet loglevel=3 ktest=mem -- init 1");
    EXPECT_TRUE(line.has("console"));
    EXPECT_TRUE(line.has("quiet"));
    EXPECT_FALSE(line.has("init"));
    EXPECT_FALSE(line.has("ttyS0"));
    EXPECT_TRUE(line.value("ktest").value_or("") == StringView("mem")); // last one wins
    EXPECT_TRUE(line.value("x").value_or("") == StringView("a b c"));
    EXPECT_FALSE(line.value("quiet").has_value());
    EXPECT_TRUE(line.init_arguments() == StringView("init 1"));
    EXPECT_TRUE(CommandLine("").init_arguments().empty());
    EXPECT_FALSE(CommandLine("").has("x"));
    EXPECT_TRUE(CommandLine("a=").value("a").value_or("?").empty());
}

} // namespace
} // namespace keel

namespace keel {
TEST(StringView, FindsSubstrings) {
    StringView s("abcabd");
    EXPECT_EQ(s.find(StringView("abd")), 3u);
    EXPECT_EQ(s.find(StringView("ab")), 0u);
    EXPECT_EQ(s.find(StringView("ab"), 1), 3u);
    EXPECT_EQ(s.find(StringView("")), 0u);
    EXPECT_EQ(s.find(StringView("abcabdx")), StringView::npos);
    EXPECT_EQ(s.find(StringView("x")), StringView::npos);
    EXPECT_EQ(s.find(StringView("d"), 99), StringView::npos);
}
} // namespace keel

namespace keel {
TEST(ByteRing, KeepsOrderAcrossTheEndAndRefusesWhenFull) {
    ByteRing<4> ring;
    Array<u8, 8> out{};
    EXPECT_TRUE(ring.push(1) && ring.push(2) && ring.push(3));
    EXPECT_EQ(ring.pop(out.span().first(2)), 2u);
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[1], 2);
    EXPECT_TRUE(ring.push(4) && ring.push(5) && ring.push(6)); // wraps
    EXPECT_FALSE(ring.push(7));                                // full: dropped
    EXPECT_EQ(ring.size(), 4u);
    EXPECT_EQ(ring.pop(out.span()), 4u);
    EXPECT_EQ(out[0], 3);
    EXPECT_EQ(out[3], 6);
    EXPECT_TRUE(ring.empty());
    EXPECT_EQ(ring.pop(out.span()), 0u);
}
} // namespace keel
