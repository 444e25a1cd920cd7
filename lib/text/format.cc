// keel/ktl/format.h's engine: the "{}" placeholders, padding and number conversion. Checked
// code (lib/: no privilege needed), although the framework's log and panic use it.
#include <keel/ktl/format.h>

namespace keel::lib {

namespace {

struct Spec {
    bool hex = false;
    bool prefix = false; // '#': 0x
    bool zero_pad = false;
    bool left_align = false;
    usize width = 0;
};

// Parses the text between "{:" and "}".
Spec parse_spec(StringView s) {
    Spec spec;
    usize i = 0;
    if (i < s.size() && s[i] == '<') {
        spec.left_align = true;
        ++i;
    } else if (i < s.size() && s[i] == '>') {
        ++i;
    }
    if (i < s.size() && s[i] == '#') {
        spec.prefix = true;
        ++i;
    }
    if (i < s.size() && s[i] == '0') {
        spec.zero_pad = true;
        ++i;
    }
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        spec.width = spec.width * 10 + static_cast<usize>(s[i] - '0');
        ++i;
    }
    if (i < s.size() && s[i] == 'x') {
        spec.hex = true;
    }
    return spec;
}

void pad(FormatSink& sink, usize count, char c) {
    const Array<char, 1> one{c};
    for (usize i = 0; i < count; ++i) {
        sink.write(StringView(one.span()));
    }
}

void write_padded(FormatSink& sink, StringView body, const Spec& spec, StringView sign = {}) {
    usize len = body.size() + sign.size();
    usize fill = spec.width > len ? spec.width - len : 0;
    if (spec.left_align) {
        sink.write(sign);
        sink.write(body);
        pad(sink, fill, ' ');
    } else if (spec.zero_pad) {
        sink.write(sign);
        pad(sink, fill, '0');
        sink.write(body);
    } else {
        pad(sink, fill, ' ');
        sink.write(sign);
        sink.write(body);
    }
}

void write_unsigned(FormatSink& sink, u64 value, const Spec& spec, bool negative) {
    Array<char, 24> digits{};
    usize n = 0;
    u64 base = spec.hex ? 16 : 10;
    do {
        u64 d = value % base;
        digits[digits.size() - 1 - n] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
        value /= base;
        ++n;
    } while (value != 0);
    StringView body(digits.span().subspan(digits.size() - n));
    StringView sign;
    if (negative) {
        sign = "-";
    } else if (spec.hex && spec.prefix) {
        sign = "0x";
    }
    write_padded(sink, body, spec, sign);
}

void write_arg(FormatSink& sink, const FormatArg& arg, const Spec& spec) {
    switch (arg.kind) {
    case FormatArg::Kind::Unsigned:
        write_unsigned(sink, arg.unsigned_value, spec, false);
        break;
    case FormatArg::Kind::Signed: {
        bool negative = arg.signed_value < 0 && !spec.hex;
        u64 magnitude =
            negative ? 0 - static_cast<u64>(arg.signed_value) : static_cast<u64>(arg.signed_value);
        write_unsigned(sink, magnitude, spec, negative);
        break;
    }
    case FormatArg::Kind::Bool:
        write_padded(sink, arg.unsigned_value ? StringView("true") : StringView("false"), spec);
        break;
    case FormatArg::Kind::Char: {
        const Array<char, 1> one{static_cast<char>(arg.unsigned_value)};
        write_padded(sink, StringView(one.span()), spec);
        break;
    }
    case FormatArg::Kind::String:
        write_padded(sink, arg.string, spec);
        break;
    }
}

} // namespace

void vformat(FormatSink& sink, StringView fmt, Span<const FormatArg> args) {
    usize next_arg = 0;
    usize literal_start = 0;
    usize i = 0;
    auto flush = [&](usize end) {
        if (end > literal_start) {
            sink.write(fmt.substr(literal_start, end - literal_start));
        }
    };
    while (i < fmt.size()) {
        char c = fmt[i];
        if ((c == '{' || c == '}') && i + 1 < fmt.size() && fmt[i + 1] == c) {
            flush(i + 1); // "{{" and "}}" print one brace
            i += 2;
            literal_start = i;
            continue;
        }
        if (c != '{') {
            ++i;
            continue;
        }
        usize close = fmt.find('}', i);
        if (close == StringView::npos) {
            break;
        }
        flush(i);
        StringView inside = fmt.substr(i + 1, close - i - 1);
        Spec spec = inside.starts_with(":") ? parse_spec(inside.substr(1)) : Spec{};
        if (next_arg < args.size()) {
            write_arg(sink, args[next_arg++], spec);
        } else {
            sink.write("{?}"); // more placeholders than arguments: visible, not fatal
        }
        i = close + 1;
        literal_start = i;
    }
    flush(fmt.size());
}

} // namespace keel::lib
