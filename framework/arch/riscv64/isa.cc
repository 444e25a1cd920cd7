// riscv64: reading the boot hart's extensions from the device tree (isa.h).
#include "isa.h"

#include "device_tree.h"

namespace keel::arch::riscv {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(StringView a, StringView b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (usize i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

// Calls fn for each part of text between separators.
template <typename Fn>
bool any_part(StringView text, char separator, Fn&& fn) {
    for (usize start = 0; start <= text.size();) {
        usize end = text.find(separator, start);
        end = end == StringView::npos ? text.size() : end;
        if (fn(text.substr(start, end - start))) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

} // namespace

bool isa_string_has(StringView isa, StringView name) {
    // The first part is "rv64" and the single-letter extensions; multi-letter ones follow, each
    // after an underscore.
    usize first = isa.find('_');
    if (first == StringView::npos) {
        return false;
    }
    return any_part(isa.substr(first + 1), '_',
                    [&](StringView part) { return equal_ignoring_case(part, name); });
}

namespace {
// The boot hart's /cpus child, if the device tree has one.
template <typename Fn>
void with_boot_hart(Fn&& fn) {
    Optional<boot::DeviceTree> dt = boot_device_tree();
    Optional<boot::DeviceTree::Node> cpus = dt ? dt->find("/cpus") : none;
    if (!cpus) {
        return;
    }
    u64 hart = boot_info().boot_cpu_id;
    bool found = false;
    dt->for_each_child(*cpus, [&](boot::DeviceTree::Node node) {
        Optional<StringView> type = dt->string_property(node, "device_type");
        Optional<u64> reg = dt->integer_property(node, "reg");
        if (found || !type || *type != StringView("cpu") || !reg || *reg != hart) {
            return;
        }
        found = true;
        fn(*dt, node);
    });
}
} // namespace

u64 boot_hart_letter_bits() {
    u64 bits = 0;
    with_boot_hart([&](const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
        Optional<StringView> isa = dt.string_property(node, "riscv,isa");
        if (!isa || isa->size() < 4) {
            return;
        }
        StringView letters = isa->substr(4); // after "rv64"
        usize end = letters.find('_');
        letters = letters.substr(0, end == StringView::npos ? letters.size() : end);
        for (char c : letters) {
            char l = lower(c);
            if (StringView("imafdcv").find(l) != StringView::npos) {
                bits |= u64{1} << (l - 'a');
            }
        }
    });
    return bits;
}

bool boot_hart_has_extension(StringView name) {
    bool found = false;
    with_boot_hart([&](const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
        if (Optional<Bytes> list = dt.property(node, "riscv,isa-extensions")) {
            // A string list: NUL-terminated strings back to back. SAFETY: the same bytes, read
            // as characters (u8 and char have the same size and no invalid values).
            StringView all(Span<const char>::from_raw(reinterpret_cast<const char*>(list->data()),
                                                      list->size()));
            found = any_part(all, '\0', [&](StringView s) { return equal_ignoring_case(s, name); });
            return;
        }
        if (Optional<StringView> isa = dt.string_property(node, "riscv,isa")) {
            found = isa_string_has(*isa, name);
        }
    });
    return found;
}

} // namespace keel::arch::riscv
