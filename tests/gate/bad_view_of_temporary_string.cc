// A StringView kept past the String it views: the temporary dies at the end of the statement.
// String::view() is [[clang::lifetimebound]].
// expect-rule: Wdangling
#include <keel/ktl/string.h>

namespace keel::gate {

String make_name();

usize dangling_view() {
    StringView name = make_name().view();
    return name.size();
}

} // namespace keel::gate
