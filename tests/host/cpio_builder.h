// Building cpio newc archives byte by byte for host tests (no binaries in the repo), and turning
// the parsers' byte spans back into std::string for comparisons.
#pragma once

#include <cstdio>
#include <string>

#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>

namespace keel::test {

inline void pad4(std::string& s) {
    while (s.size() % 4 != 0) {
        s.push_back('\0');
    }
}

// One newc entry: header, name with NUL, padding, data, padding.
inline std::string entry(const std::string& name, unsigned mode, const std::string& data,
                         const char* magic = "070701") {
    char header[111];
    std::snprintf(header, sizeof header, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                  magic, 1u, mode, 0u, 0u, 1u, 0u, static_cast<unsigned>(data.size()), 0u, 0u, 0u,
                  0u, static_cast<unsigned>(name.size() + 1), 0u);
    std::string s(header, 110);
    s += name;
    s.push_back('\0');
    pad4(s);
    s += data;
    pad4(s);
    return s;
}

inline std::string trailer() { return entry("TRAILER!!!", 0, ""); }

inline Bytes bytes_of(const std::string& s) {
    return Bytes::from_raw(reinterpret_cast<const u8*>(s.data()), s.size());
}

inline std::string text(Bytes b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
inline std::string text(StringView v) { return std::string(v.chars().data(), v.size()); }

} // namespace keel::test
