// StringView: a bounds-checked, non-owning view of characters (not NUL-terminated).
#pragma once

#include <keel/ktl/span.h>

namespace keel {

class StringView {
public:
    constexpr StringView() = default;

    // From a string literal: the array's length is known, minus its terminating NUL.
    template <usize N>
    consteval StringView(const char (&literal)[N]) // NOLINT: implicit by design
        : chars_(Span<const char>(literal).first(N - 1)) {}

    constexpr explicit StringView(Span<const char> chars [[clang::lifetimebound]])
        : chars_(chars) {}

    // From a NUL-terminated C string of at most max_len characters (framework use: libfdt and
    // firmware tables hand out C strings).
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunsafe-buffer-usage"
    // SAFETY: the caller passes a NUL-terminated string; we stop at the NUL or max_len.
    [[clang::annotate("keel::framework_only")]] static constexpr StringView
    from_c_string(const char* s, usize max_len = 4096) {
        usize len = 0;
        while (s != nullptr && len < max_len && s[len] != '\0') {
            ++len;
        }
        return StringView(Span<const char>::from_raw(s, len));
    }
#pragma clang diagnostic pop

    // The bytes as characters (file names and strings inside archives and images).
    static StringView from_bytes(Span<const u8> bytes) {
        // SAFETY: char may alias any object; the span keeps the same length.
        return StringView(
            Span<const char>::from_raw(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }

    // The characters as bytes (to copy them out to user memory or into a page).
    Span<const u8> bytes() const {
        // SAFETY: u8 may alias any object; the span keeps the same length.
        return Span<const u8>::from_raw(reinterpret_cast<const u8*>(chars_.data()), chars_.size());
    }

    constexpr usize size() const { return chars_.size(); }
    constexpr bool empty() const { return chars_.empty(); }
    constexpr char operator[](usize i) const { return chars_[i]; }
    constexpr Span<const char> chars() const { return chars_; }
    constexpr Span<const char>::Iterator begin() const { return chars_.begin(); }
    constexpr Span<const char>::Iterator end() const { return chars_.end(); }

    constexpr StringView substr(usize offset) const { return StringView(chars_.subspan(offset)); }
    constexpr StringView substr(usize offset, usize count) const {
        return StringView(chars_.subspan(offset, min(count, chars_.size() - min(offset, size()))));
    }

    constexpr bool operator==(const StringView& other) const {
        if (size() != other.size()) {
            return false;
        }
        for (usize i = 0; i < size(); ++i) {
            if (chars_[i] != other.chars_[i]) {
                return false;
            }
        }
        return true;
    }

    constexpr bool starts_with(StringView prefix) const {
        return prefix.size() <= size() && substr(0, prefix.size()) == prefix;
    }

    static constexpr usize npos = ~usize{0};

    constexpr usize find(char c, usize from = 0) const {
        for (usize i = from; i < size(); ++i) {
            if (chars_[i] == c) {
                return i;
            }
        }
        return npos;
    }
    constexpr usize find(StringView needle, usize from = 0) const {
        for (usize i = from; i <= size() && needle.size() <= size() - i; ++i) {
            if (substr(i, needle.size()) == needle) {
                return i;
            }
        }
        return npos;
    }

private:
    Span<const char> chars_;
};

} // namespace keel
