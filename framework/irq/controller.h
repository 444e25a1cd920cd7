// The framework's side of interrupts: the controller each arch registers (LAPIC+IOAPIC, PLIC,
// GICv2/v3) and the dispatch its interrupt entry calls. Claiming and ending an interrupt (EOI) is
// the arch entry's job, around dispatch().
#pragma once

#include <keel/irq.h>
#include <keel/ktl/string_view.h>

namespace keel::irq {

class Controller {
public:
    virtual StringView name() const = 0;
    // The controller's line number for a firmware source (EINVAL if it cannot parse it).
    virtual Result<u32> translate(const IrqSource& source) = 0;
    virtual u32 line_count() const = 0;
    virtual void enable(u32 line) = 0;
    virtual void disable(u32 line) = 0;

protected:
    ~Controller() = default;
};

inline constexpr u32 max_lines = 1024;

void register_controller(Controller& controller);
Controller* controller();

// Runs the handler attached to line (the arch entry claimed it and will end it). A line without
// a handler is masked and counted as spurious.
void dispatch(u32 line);
u64 spurious_count();

} // namespace keel::irq
