// IrqLine: a device interrupt as a safe handle. A driver names the interrupt the way the firmware
// describes it (a device-tree specifier or an ACPI/ISA number), attaches a handler, and enables
// the line; the framework routes, masks, acknowledges and ends the interrupt (EOI) itself.
// Handlers run in interrupt context on the CPU that took the interrupt, with interrupts masked:
// they must be short and must not sleep.
//
// A line is held by one IrqLine (acquire), or by several that agree to share it
// (acquire_shared: level-triggered PCI INTx lines, which several devices may wire to one
// controller input); each holder attaches its own handler, and every handler of a shared line
// runs for each interrupt, so each must check its own device. Message-signalled interrupts
// (PCI MSI/MSI-X) come from the bus code (keel/pci.h) as IrqLines of their own.
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/result.h>

namespace keel {

class IrqHandler {
public:
    virtual void handle_irq() = 0;

protected:
    ~IrqHandler() = default;
};

// Where an interrupt comes from, in the firmware's words.
struct IrqSource {
    enum class Kind : u8 {
        device_tree, // `cells`: the node's `interrupts` specifier for its interrupt parent
        isa,         // `number`: an ISA IRQ (0-15), routed through the ACPI MADT's overrides
        gsi,         // `number`: an ACPI global system interrupt
    };
    Kind kind = Kind::device_tree;
    u32 number = 0;
    Array<u32, 4> cells{};
    u32 cell_count = 0;
};

class IrqLine {
public:
    // The framework's bus code and its own devices only: drivers get their lines from their
    // device handles (the safe-subset gate rejects these calls outside the framework).
    // EINVAL for a specifier the controller cannot parse, ENODEV without a controller, EBUSY
    // when the line is already held (or, for acquire_shared, held exclusively or by as many
    // sharers as a line takes).
    [[clang::annotate("keel::framework_only")]] static Result<IrqLine>
    acquire(const IrqSource& source);
    [[clang::annotate("keel::framework_only")]] static Result<IrqLine>
    acquire_shared(const IrqSource& source);

    IrqLine(IrqLine&& other) noexcept
        : line_(other.line_), handler_(other.handler_), enabled_(other.enabled_) {
        other.line_ = none_held;
        other.handler_ = nullptr;
        other.enabled_ = false;
    }
    IrqLine& operator=(IrqLine&&) = delete;
    IrqLine(const IrqLine&) = delete;
    IrqLine& operator=(const IrqLine&) = delete;
    ~IrqLine(); // masks the line and detaches the handler

    // The handler must outlive the attachment (until detach or the IrqLine's end). Attaching
    // again replaces this holder's handler. detach disables this holder's use of the line and
    // returns once no CPU runs the handler.
    void attach(IrqHandler& handler);
    void detach();
    // A shared line stays unmasked while any holder has it enabled.
    void enable();
    void disable();

    bool held() const { return line_ != none_held; }
    u32 number() const { return line_; } // the controller's line number, for logs
    u64 count() const;                   // interrupts taken on the line so far (all holders)

private:
    friend struct IrqLineAccess; // the framework's bus code: MSI lines
    static constexpr u32 none_held = ~u32{0};
    explicit IrqLine(u32 line) : line_(line) {}
    u32 line_;
    IrqHandler* handler_ = nullptr;
    bool enabled_ = false;
};

} // namespace keel
