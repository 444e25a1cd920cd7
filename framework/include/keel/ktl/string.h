// String: an owned, heap-allocated run of characters (not NUL-terminated), made only through
// fallible calls. For names that outlive the buffer they came from: file names, argv strings.
#pragma once

#include <keel/ktl/string_view.h>
#include <keel/ktl/vector.h>

namespace keel {

class String {
public:
    String() = default;
    static Result<String> from(StringView text) {
        String s;
        TRY(s.chars_.append(text.chars()));
        return s;
    }
    Result<String> clone() const { return from(view()); }

    StringView view() const [[clang::lifetimebound]] { return StringView(chars_.span()); }
    usize size() const { return chars_.size(); }
    bool empty() const { return chars_.empty(); }
    bool operator==(StringView other) const { return view() == other; }

    Result<void> append(StringView text) { return chars_.append(text.chars()); }

private:
    Vector<char> chars_;
};

} // namespace keel
