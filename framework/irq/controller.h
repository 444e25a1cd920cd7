// The framework's side of interrupts: the controller each arch registers (LAPIC+IOAPIC, PLIC,
// GICv2/v3) and the dispatch its interrupt entry calls. Claiming and ending an interrupt (EOI) is
// the arch entry's job, around dispatch().
#pragma once

#include <keel/irq.h>
#include <keel/ktl/string_view.h>

namespace keel::irq {

// What a device writes, and where, to raise a message-signalled interrupt (PCI MSI/MSI-X).
struct MsiMessage {
    u64 address = 0;
    u32 data = 0;
};

class Controller {
public:
    virtual StringView name() const = 0;
    // The controller's line number for a firmware source (EINVAL if it cannot parse it).
    virtual Result<u32> translate(const IrqSource& source) = 0;
    virtual u32 line_count() const = 0;
    virtual void enable(u32 line) = 0;
    virtual void disable(u32 line) = 0;

    // Message-signalled lines: a line of its own for one MSI vector, and the message that
    // raises it. device_id names the sender as the controller sees it (a PCI function's
    // requester ID through its host bridge's msi-map): a GICv3 ITS translates each device's
    // messages through a table of its own; the local APIC and a GICv2m frame ignore it.
    // EOPNOTSUPP where the controller takes no messages (the PLIC; a GICv2 without a v2m
    // frame), ENOSPC when all are in use.
    virtual Result<u32> allocate_msi(u32 device_id) { return Errno::eopnotsupp; }
    virtual void free_msi(u32 line) {}
    virtual MsiMessage msi_message(u32 line) const { return {}; }

protected:
    ~Controller() = default;
};

inline constexpr u32 max_lines = 1024;

void register_controller(Controller& controller);
Controller* controller();

// Runs the handlers attached to line (the arch entry claimed it and will end it). A line without
// a handler is masked and counted as spurious.
void dispatch(u32 line);
u64 spurious_count();

// A line that masks at the device rather than (or as well as) at the controller: an MSI-X
// vector's mask bit. IrqLine::enable/disable call it.
class LineMask {
public:
    virtual void set_masked(bool masked) = 0;

protected:
    ~LineMask() = default;
};

} // namespace keel::irq

namespace keel {

// For the bus code: IrqLines over message-signalled lines.
struct IrqLineAccess {
    static IrqLine held(u32 line); // a line the caller has just reserved in its slot
    // A fresh MSI line from the controller for the sender device_id (Controller::allocate_msi),
    // held by the returned IrqLine (freed with it).
    static Result<IrqLine> allocate_msi(u32 device_id);
    static irq::MsiMessage msi_message(const IrqLine& line);
    // The mask must outlive the line's holder.
    static void set_mask(const IrqLine& line, irq::LineMask* mask);
    // Forgets mask on line if it is still the one set there (the bus code's mask is going away
    // while a driver may still hold the line; a line freed and handed out again is left alone).
    static void clear_mask(u32 line, irq::LineMask* mask);
};

} // namespace keel
