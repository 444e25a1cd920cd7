// The kernel command line, read the way Linux reads it: words separated by spaces, a word is
// `key` or `key=value`, double quotes group spaces into one word (`key="a b"`), and everything
// after a lone `--` belongs to init, not to the kernel.
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/string_view.h>

namespace keel {

class CommandLine {
public:
    constexpr CommandLine() = default;
    constexpr explicit CommandLine(StringView text) : text_(text) {}

    struct Word {
        StringView key;
        Optional<StringView> value; // present for key=value (possibly empty)
    };

    // Calls visit(Word) for each kernel word, in order, stopping at "--".
    template <typename Visitor>
    constexpr void for_each(Visitor&& visit) const {
        usize i = 0;
        while (true) {
            while (i < text_.size() && text_[i] == ' ') {
                ++i;
            }
            if (i >= text_.size()) {
                return;
            }
            usize start = i;
            bool quoted = false;
            while (i < text_.size() && (quoted || text_[i] != ' ')) {
                if (text_[i] == '"') {
                    quoted = !quoted;
                }
                ++i;
            }
            StringView word = text_.substr(start, i - start);
            if (word == StringView("--")) {
                return;
            }
            visit(split(word));
        }
    }

    constexpr bool has(StringView key) const {
        bool found = false;
        for_each([&](const Word& w) { found = found || w.key == key; });
        return found;
    }

    // The value of the last `key=value` (Linux lets later words override earlier ones).
    constexpr Optional<StringView> value(StringView key) const {
        Optional<StringView> result;
        for_each([&](const Word& w) {
            if (w.key == key && w.value.has_value()) {
                result = w.value;
            }
        });
        return result;
    }

    // What follows a lone "--": arguments for init.
    constexpr StringView init_arguments() const {
        for (usize i = 0; i + 1 < text_.size() + 1; ++i) {
            bool starts = i == 0 || text_[i - 1] == ' ';
            if (starts && text_.substr(i).starts_with("--") &&
                (i + 2 == text_.size() || text_[i + 2] == ' ')) {
                return text_.substr(min(i + 3, text_.size()));
            }
        }
        return {};
    }

    constexpr StringView text() const { return text_; }

private:
    static constexpr StringView unquote(StringView s) {
        if (s.size() >= 2 && s[0] == '"' && s[s.size() - 1] == '"') {
            return s.substr(1, s.size() - 2);
        }
        return s;
    }
    static constexpr Word split(StringView word) {
        usize eq = word.find('=');
        if (eq == StringView::npos) {
            return Word{unquote(word), none};
        }
        return Word{word.substr(0, eq), unquote(word.substr(eq + 1))};
    }

    StringView text_;
};

// The running kernel's command line (from BootInfo).
const CommandLine& command_line();

} // namespace keel
