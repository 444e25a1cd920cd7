// The boot console: one character device the log and panic write to. Drivers for the UARTs the
// supported machines have (16550, PL011) live beside this file; the arch or the device tree
// picks one (arch::install_console).
#pragma once

#include <keel/irq.h>
#include <keel/ktl/format.h>
#include <keel/ktl/optional.h>

#include "boot/devicetree.h"

namespace keel::console {

class Device {
public:
    virtual void put_char(char c) = 0;
    // What the boot log calls it, e.g. "ns16550a@10000000".
    virtual StringView name() const = 0;
    // The next received byte, if one is waiting (polled; the receive interrupt calls it).
    virtual Optional<u8> read_char() = 0;
    // Turns the device's receive interrupt on or off.
    virtual Result<void> set_receive_interrupt(bool on) = 0;

protected:
    ~Device() = default;
};

void install(Device& device);
Device* current();

// Writes text to the console; "\n" becomes "\r\n" as serial terminals expect.
void write(StringView text);

// A FormatSink over write(), for raw (untimestamped) lines such as ktest's.
FormatSink& sink();

// Feeds keel/console_input.h from the console's receive interrupt, named by source.
Result<void> enable_interrupt_input(const IrqSource& source);

// The device-tree console's interrupt (its node's `interrupts`), once a controller exists.
Result<void> enable_device_tree_input(const boot::DeviceTree& dt);

// Finds the console in the device tree (/chosen/stdout-path, else the first enabled UART the
// framework has a driver for), maps it and installs it. ENODEV when there is none.
Result<void> install_from_device_tree(const boot::DeviceTree& dt);

} // namespace keel::console
