// Type-safe formatting with "{}" placeholders, used by the logger and panic. Variadic templates
// erase each argument into a FormatArg, so no C varargs exist anywhere (the safe subset forbids
// them). Placeholders: {} | {:x} hex | {:#x} 0x-prefixed | {:08x} zero-padded width | {:8} and
// {:<8} right/left-aligned width. A type T prints through `StringView to_string(T)` found by ADL.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/string_view.h>

namespace keel {

class FormatSink {
public:
    virtual void write(StringView text) = 0;

protected:
    ~FormatSink() = default;
};

struct FormatArg {
    enum class Kind : u8 { Signed, Unsigned, Bool, Char, String };
    Kind kind = Kind::Unsigned;
    u64 unsigned_value = 0;
    i64 signed_value = 0;
    StringView string;
};

template <typename T>
constexpr FormatArg make_format_arg(const T& value) {
    FormatArg arg;
    if constexpr (IsSame<T, bool>) {
        arg.kind = FormatArg::Kind::Bool;
        arg.unsigned_value = value ? 1 : 0;
    } else if constexpr (IsSame<T, char>) {
        arg.kind = FormatArg::Kind::Char;
        arg.unsigned_value = static_cast<u8>(value);
    } else if constexpr (IsIntegral<T> && IsSigned<T>) {
        arg.kind = FormatArg::Kind::Signed;
        arg.signed_value = value;
    } else if constexpr (IsIntegral<T>) {
        arg.kind = FormatArg::Kind::Unsigned;
        arg.unsigned_value = value;
    } else if constexpr (IsSame<T, StringView>) {
        arg.kind = FormatArg::Kind::String;
        arg.string = value;
    } else if constexpr (requires { to_string(value); }) {
        arg.kind = FormatArg::Kind::String;
        arg.string = to_string(value);
    } else if constexpr (IsEnum<T>) {
        arg.kind = FormatArg::Kind::Signed;
        arg.signed_value = static_cast<i64>(static_cast<UnderlyingType<T>>(value));
    } else {
        static_assert(IsEnum<T>, "no way to format this type: give it a to_string()");
    }
    return arg;
}

template <usize N>
constexpr FormatArg make_format_arg(const char (&literal)[N]) {
    FormatArg arg;
    arg.kind = FormatArg::Kind::String;
    arg.string = StringView(literal);
    return arg;
}

// Defined in checked code (lib/text/format.cc): formatting needs no privilege.
namespace lib {
void vformat(FormatSink& sink, StringView fmt, Span<const FormatArg> args);
} // namespace lib
using lib::vformat;

template <typename... Args>
void format(FormatSink& sink, StringView fmt, const Args&... args) {
    // One spare element so that a call with no arguments still has a (non-empty) array.
    const Array<FormatArg, sizeof...(Args) + 1> erased{make_format_arg(args)..., FormatArg{}};
    vformat(sink, fmt, erased.span().first(sizeof...(Args)));
}

// A sink that fills a fixed buffer and truncates what does not fit.
template <usize N>
class FixedString final : public FormatSink {
public:
    void write(StringView text) override {
        for (char c : text) {
            if (size_ < N) {
                buffer_[size_++] = c;
            }
        }
    }
    StringView view() const [[clang::lifetimebound]] {
        return StringView(buffer_.span().first(size_));
    }
    void clear() { size_ = 0; }

private:
    Array<char, N> buffer_{};
    usize size_ = 0;
};

} // namespace keel
