// The log ring: lines come back whole and in order, the oldest make room for new ones and are
// reported lost, long lines are cut, and a reader with a small buffer still moves on.
#include "log/log_ring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace keel;
using keel::log::LinesRead;
using keel::log::LogRing;

namespace {

Span<u8> bytes_of(std::vector<u8>& v) { return Span<u8>::from_raw(v.data(), v.size()); }
StringView view_of(const std::string& s) {
    return StringView(Span<const char>::from_raw(s.data(), s.size()));
}

std::string read_all(const LogRing& ring, u64 from, usize chunk, u64* lost = nullptr) {
    std::string text;
    std::vector<u8> out(chunk);
    for (;;) {
        LinesRead r = ring.read(from, bytes_of(out));
        if (lost != nullptr) {
            *lost += r.lost;
        }
        text.append(reinterpret_cast<const char*>(out.data()), r.bytes);
        if (r.next == from && r.lost == 0) {
            return text;
        }
        from = r.next;
    }
}

} // namespace

TEST(LogRing, LinesComeBackInOrderFromAnyLine) {
    std::vector<u8> storage(256);
    LogRing ring(bytes_of(storage));
    ring.append("first");
    ring.append("");
    ring.append("third line");
    EXPECT_EQ(ring.first_line(), 0u);
    EXPECT_EQ(ring.next_line(), 3u);
    EXPECT_EQ(read_all(ring, 0, 64), "first\n\nthird line\n");
    EXPECT_EQ(read_all(ring, 2, 64), "third line\n");
    EXPECT_EQ(read_all(ring, 3, 64), "");
    EXPECT_EQ(read_all(ring, 99, 64), ""); // beyond the end: nothing, no lost lines
}

TEST(LogRing, OldLinesMakeRoomAndAreCountedLost) {
    std::vector<u8> storage(64);
    LogRing ring(bytes_of(storage));
    std::string expected;
    for (int i = 0; i < 100; ++i) {
        std::string line = "line " + std::to_string(i);
        ring.append(view_of(line));
    }
    // Each line is 2 + 7 bytes: the last 7 fit in 64.
    EXPECT_EQ(ring.next_line(), 100u);
    EXPECT_EQ(ring.first_line(), 93u);
    u64 lost = 0;
    std::string text = read_all(ring, 0, 64, &lost);
    EXPECT_EQ(lost, 93u);
    for (int i = 93; i < 100; ++i) {
        expected += "line " + std::to_string(i) + "\n";
    }
    EXPECT_EQ(text, expected);
}

TEST(LogRing, WrapsAroundTheStorageEnd) {
    std::vector<u8> storage(50); // not a multiple of any line size: lengths and text wrap
    LogRing ring(bytes_of(storage));
    for (int round = 0; round < 40; ++round) {
        std::string line(static_cast<usize>(round % 13), static_cast<char>('a' + round % 26));
        ring.append(view_of(line));
        std::string last = read_all(ring, ring.next_line() - 1, 64);
        EXPECT_EQ(last, line + "\n") << "round " << round;
    }
}

TEST(LogRing, LongLinesAreCutAndSmallReadersMoveOn) {
    std::vector<u8> storage(4096);
    LogRing ring(bytes_of(storage));
    std::string huge(3000, 'x');
    ring.append(view_of(huge));
    ring.append("after");
    std::string text = read_all(ring, 0, 4096);
    EXPECT_EQ(text, std::string(LogRing::max_line, 'x') + "\nafter\n");
    // A reader whose buffer is smaller than a line gets it cut, then the next line.
    std::vector<u8> out(16);
    LinesRead r = ring.read(0, bytes_of(out));
    EXPECT_EQ(r.next, 1u);
    EXPECT_EQ(r.bytes, 16u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()), 16),
              std::string(15, 'x') + "\n");
    r = ring.read(1, bytes_of(out));
    EXPECT_EQ(r.next, 2u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()), r.bytes), "after\n");
}

TEST(LogRing, ARingTooSmallForALineKeepsNone) {
    std::vector<u8> storage(4);
    LogRing ring(bytes_of(storage));
    ring.append("12345");
    EXPECT_EQ(ring.next_line(), 0u);
    ring.append("ab");
    EXPECT_EQ(read_all(ring, 0, 16), "ab\n");
}
