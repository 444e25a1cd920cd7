// Choosing the boot console from the device tree, as Linux's earlycon does with stdout-path.
#include <arch/memory.h>

#include "console/console.h"
#include "console/pl011.h"
#include "console/uart16550.h"
#include "io_mem_internal.h"

namespace keel::console {

namespace {
constinit MmioUart16550Registers uart_registers;
constinit Uart16550 uart16550;
constinit Pl011 pl011;

enum class Kind { None, Ns16550, Pl011 };

Kind kind_of(const boot::DeviceTree& dt, boot::DeviceTree::Node node) {
    if (dt.is_compatible(node, "ns16550a") || dt.is_compatible(node, "ns16550")) {
        return Kind::Ns16550;
    }
    if (dt.is_compatible(node, "arm,pl011")) {
        return Kind::Pl011;
    }
    return Kind::None;
}

Optional<boot::DeviceTree::Node> stdout_node(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> chosen = dt.find("/chosen");
    Optional<StringView> path;
    if (chosen) {
        path = dt.string_property(*chosen, "stdout-path");
        if (!path) {
            path = dt.string_property(*chosen, "linux,stdout-path");
        }
    }
    if (path) {
        // "serial0:115200n8": the part before ':' is a path or an alias.
        usize colon = path->find(':');
        StringView target = colon == StringView::npos ? *path : path->substr(0, colon);
        if (Optional<boot::DeviceTree::Node> node = dt.find(target)) {
            if (kind_of(dt, *node) != Kind::None) {
                return node;
            }
        }
    }
    Optional<boot::DeviceTree::Node> found;
    dt.for_each_node([&](boot::DeviceTree::Node node) {
        if (!found && dt.is_enabled(node) && kind_of(dt, node) != Kind::None) {
            found = node;
        }
    });
    return found;
}
} // namespace

Result<void> install_from_device_tree(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> node = stdout_node(dt);
    if (!node) {
        return Errno::enodev;
    }
    u64 base = 0;
    u64 size = 0;
    TRY(dt.for_each_reg(*node, [&](u64 b, u64 s) {
        if (size == 0) {
            base = b;
            size = s;
        }
    }));
    if (size == 0) {
        return Errno::enodev;
    }
    IoMem window = TRY(IoMemAccess::early(base, size));
    FixedString<48> name;
    format(name, "{}", dt.name(*node));
    if (kind_of(dt, *node) == Kind::Pl011) {
        pl011.init(move(window), name.view());
        install(pl011);
    } else {
        u32 shift = static_cast<u32>(dt.integer_property(*node, "reg-shift").value_or(0));
        u32 width = static_cast<u32>(dt.integer_property(*node, "reg-io-width").value_or(1));
        uart_registers.init(move(window), shift, width);
        uart16550.init(uart_registers, name.view());
        install(uart16550);
    }
    return {};
}

Result<void> enable_device_tree_input(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> node = stdout_node(dt);
    if (!node) {
        return Errno::enodev;
    }
    Optional<Bytes> cells = dt.property(*node, "interrupts");
    if (!cells || cells->size() % 4 != 0 || cells->empty() || cells->size() > 16) {
        return Errno::enodev;
    }
    IrqSource source;
    source.kind = IrqSource::Kind::device_tree;
    source.cell_count = static_cast<u32>(cells->size() / 4);
    for (u32 i = 0; i < source.cell_count; ++i) {
        source.cells[i] = read_be<u32>(*cells, i * 4);
    }
    return enable_interrupt_input(source);
}

Uart16550* device_tree_uart16550() { return current() == &uart16550 ? &uart16550 : nullptr; }
Pl011* device_tree_pl011() { return current() == &pl011 ? &pl011 : nullptr; }

} // namespace keel::console
