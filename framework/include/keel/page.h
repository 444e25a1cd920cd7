// Page-level vocabulary shared by the framework's memory API and its users: the page size, access
// permissions, and memory types. Nothing here touches memory.
#pragma once

#include <keel/ktl/string_view.h>

namespace keel {

inline constexpr u64 page_size = 4096;
inline constexpr u32 page_shift = 12;

constexpr bool is_page_aligned(u64 value) { return (value & (page_size - 1)) == 0; }

// What a mapping allows. Read is implied by every mapping the MMUs can express (x86 and aarch64
// have no write-only or execute-only pages), so the page-table engine insists on it.
enum class Perms : u8 {
    none = 0,
    read = 1,
    write = 2,
    exec = 4,
    read_write = read | write,
    read_exec = read | exec,
    all = read | write | exec,
};

constexpr Perms operator|(Perms a, Perms b) {
    return static_cast<Perms>(static_cast<u8>(a) | static_cast<u8>(b));
}
constexpr Perms operator&(Perms a, Perms b) {
    return static_cast<Perms>(static_cast<u8>(a) & static_cast<u8>(b));
}
constexpr bool has(Perms set, Perms wanted) { return (set & wanted) == wanted; }

StringView to_string(Perms perms); // "r-x" style

// How the CPU may cache and order accesses to a page.
enum class MemType : u8 {
    normal, // write-back cacheable RAM
    device, // uncached, unmerged, in order: MMIO registers
};

StringView to_string(MemType type);

} // namespace keel
