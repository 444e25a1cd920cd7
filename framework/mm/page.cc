#include <keel/ktl/array.h>
#include <keel/page.h>

namespace keel {

StringView to_string(Perms perms) {
    constexpr Array<StringView, 8> names{"---", "r--", "-w-", "rw-", "--x", "r-x", "-wx", "rwx"};
    return names[static_cast<u8>(perms) & 7];
}

StringView to_string(MemType type) {
    if (type == MemType::device) {
        return "device";
    }
    return "normal";
}

} // namespace keel
