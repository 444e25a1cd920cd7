// ktests of the generic framework, run on every architecture: what the boot left behind is
// consistent, and the console, clocks, formatter and symbol table work on the real machine.
#include <keel/boot_info.h>
#include <keel/clock.h>
#include <keel/ktest.h>
#include <keel/log.h>
#include <keel/task.h>

#include <arch/clock.h>
#include <arch/memory.h>

#include "address.h"
#include "backtrace.h"
#include "boot/devicetree.h"
#include "console/console.h"

namespace keel {
namespace {

KTEST(boot_info, memory_map_is_sorted_disjoint_and_page_aligned_where_usable) {
    const BootInfo& boot = boot_info();
    KASSERT(!boot.memory.empty());
    for (usize i = 0; i < boot.memory.size(); ++i) {
        const MemoryRegion& r = boot.memory[i];
        KEXPECT(r.size > 0);
        if (r.kind == MemoryKind::Usable) {
            KEXPECT_EQ(r.base % 4096, 0u);
            KEXPECT_EQ(r.size % 4096, 0u);
        }
        if (i > 0) {
            KEXPECT(boot.memory[i - 1].end() <= r.base);
        }
    }
}

KTEST(boot_info, kernel_image_is_reserved_where_it_was_loaded) {
    PhysRange image = arch::kernel_image_phys();
    u64 reserved = 0;
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind == MemoryKind::KernelImage) {
            KEXPECT(r.base <= image.base || r.base < image.end());
            reserved += r.size;
        }
        if (r.kind == MemoryKind::Usable) {
            KEXPECT(r.end() <= image.base || r.base >= image.end()); // no overlap
        }
    }
    KEXPECT_EQ(reserved, image.size);
}

KTEST(boot_info, usable_memory_exists_and_excludes_boot_structures) {
    const BootInfo& boot = boot_info();
    KEXPECT(boot.total_bytes(MemoryKind::Usable) >= 16u << 20);
    for (const MemoryRegion& r : boot.memory) {
        if (r.kind != MemoryKind::Usable) {
            continue;
        }
        if (boot.device_tree) {
            KEXPECT(r.end() <= boot.device_tree->base || r.base >= boot.device_tree->end());
        }
        if (boot.initrd) {
            KEXPECT(r.end() <= boot.initrd->base || r.base >= boot.initrd->end());
        }
    }
}

KTEST(device_tree, boot_tree_reopens_and_matches_boot_info) {
    const BootInfo& boot = boot_info();
    if (boot.protocol != BootProtocol::DeviceTree) {
        KEXPECT(!boot.device_tree.has_value()); // x86: firmware speaks ACPI, not DT
        return;
    }
    KASSERT(boot.device_tree.has_value());
    // SAFETY: the DTB's [base, base + size) is RAM the boot memory map reserved for it for good,
    // inside the linear map; it is only read.
    Bytes blob =
        Bytes::from_raw(reinterpret_cast<const u8*>(arch::phys_to_virt(boot.device_tree->base)),
                        boot.device_tree->size);
    KEXPECT_EQ(read_be<u32>(blob, 0), 0xd00dfeedu);
    Result<boot::DeviceTree> dt = boot::DeviceTree::open(blob);
    KASSERT(dt.ok());
    Optional<StringView> model = dt.value().string_property(boot::DeviceTree::root, "model");
    KASSERT(model.has_value());
    KEXPECT(*model == boot.platform.model.view());
    KEXPECT(boot.platform.cpu_count >= 1);
    // bootargs in /chosen is where our command line came from.
    Optional<boot::DeviceTree::Node> chosen = dt.value().find("/chosen");
    KASSERT(chosen.has_value());
    Optional<StringView> args = dt.value().string_property(*chosen, "bootargs");
    KASSERT(args.has_value());
    KEXPECT(*args == boot.cmdline.view());
}

KTEST(console, a_console_is_installed_and_named_in_boot_info) {
    console::Device* device = console::current();
    KASSERT(device != nullptr);
    KEXPECT(!device->name().empty());
    KEXPECT(device->name() == boot_info().platform.console.view());
}

KTEST(clock, monotonic_clock_advances) {
    u64 a = clock::monotonic_ns();
    u64 b = a;
    for (u32 spin = 0; spin < 100000000 && b == a; ++spin) {
        b = clock::monotonic_ns();
    }
    KEXPECT(b > a);
    KEXPECT(a > 0);
}

KTEST(rtc, reads_a_date_between_2024_and_2100) {
    Result<u64> now = arch::rtc_seconds();
    KASSERT(now.ok());
    KEXPECT(now.value() >= 1704067200); // 2024-01-01 00:00:00 UTC
    KEXPECT(now.value() < 4102444800);  // 2100-01-01: not garbage either
}

// The wall clock ticks with the monotonic clock: over a 1.1 s sleep its seconds advance by at
// least one, and by at most the whole seconds the monotonic clock saw around both reads plus
// one (a boundary at each end). Bounded by that measurement, not a constant: a host that stalls
// the emulator stalls both clocks.
KTEST(rtc, advances_with_the_monotonic_clock) {
    constexpr u64 ms = 1000 * 1000;
    u64 start = clock::monotonic_ns();
    Result<u64> before = arch::rtc_seconds();
    KASSERT(before.ok());
    this_task::sleep_for(1100 * ms);
    Result<u64> after = arch::rtc_seconds();
    u64 elapsed = clock::monotonic_ns() - start;
    KASSERT(after.ok());
    KASSERT(after.value() >= before.value());
    u64 advanced = after.value() - before.value();
    KEXPECT(advanced >= 1);
    KEXPECT(advanced <= elapsed / (1000 * ms) + 1);
    log::info("rtc: advanced {} s over {} ms of the monotonic clock", advanced, elapsed / ms);
}

KTEST(log, printed_lines_are_kept_whole_and_in_order) {
    u64 from = log::next_line_number();
    log::info("log ktest: first of {}", 2);
    log::warn("log ktest: second of {}", 2);
    Array<u8, 512> out{};
    log::LinesRead read = log::read_lines(from, out.span());
    KEXPECT_EQ(read.lost, u64{0});
    KEXPECT(read.next >= from + 2); // another CPU may log in between
    // SAFETY: char may alias the bytes, and read_lines wrote read.bytes <= out.size() of them.
    StringView text(
        Span<const char>::from_raw(reinterpret_cast<const char*>(out.span().data()), read.bytes));
    usize first = text.find("] log ktest: first of 2\n");
    usize second = text.find("] warning: log ktest: second of 2\n");
    KEXPECT(first != StringView::npos && second != StringView::npos && first < second);
    KEXPECT(text.size() > 0 && text[0] == '[');
    // Reading on from where it ended gets nothing new; a small buffer still gets a line.
    KEXPECT_EQ(log::read_lines(read.next, out.span()).bytes, usize{0});
    Array<u8, 8> small{};
    log::LinesRead cut = log::read_lines(from, small.span());
    KEXPECT_EQ(cut.next, from + 1);
    KEXPECT_EQ(cut.bytes, usize{8});
}

KTEST(format, formats_numbers_strings_and_kinds) {
    FixedString<96> out;
    format(out, "{} {:#x} {:05} {} {}", -7, 0xbeefu, 42, MemoryKind::Initrd, Errno::efault);
    KEXPECT(out.view() == StringView("-7 0xbeef 00042 initrd EFAULT"));
}

[[gnu::noinline]] uptr address_of_this_function() { return address_of(&address_of_this_function); }

KTEST(symbols, embedded_table_names_kernel_functions) {
    uptr address = address_of_this_function();
    Optional<SymbolHit> hit = symbolize(address + 4);
    KASSERT(hit.has_value());
    KEXPECT_EQ(hit->offset, 4u);
    FixedString<128> name;
    format(name, "{}", hit->name);
    StringView expected = "address_of_this_function";
    bool found = false;
    for (usize i = 0; i + expected.size() <= name.view().size(); ++i) {
        found = found || name.view().substr(i, expected.size()) == expected;
    }
    KEXPECT(found);
    KEXPECT(!symbolize(0x1000).has_value()); // not kernel text
}

} // namespace
} // namespace keel
