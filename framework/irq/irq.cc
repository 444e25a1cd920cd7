#include <keel/irq.h>
#include <keel/ktl/array.h>

#include "irq/controller.h"
#include <keel/spin_lock.h>

namespace keel {

namespace irq {
namespace {
struct Slot {
    bool held = false;
    IrqHandler* handler = nullptr;
    u64 count = 0;
};
constinit SpinLock lock;
constinit Controller* the_controller = nullptr;
constinit Array<Slot, max_lines> slots{};
constinit u64 spurious = 0;
} // namespace

void register_controller(Controller& c) { the_controller = &c; }
Controller* controller() { return the_controller; }

void dispatch(u32 line) {
    IrqHandler* handler = nullptr;
    if (line < max_lines) {
        SpinLockGuard guard(lock);
        handler = slots[line].handler;
        slots[line].count += handler != nullptr ? 1 : 0;
    }
    if (handler != nullptr) {
        handler->handle_irq();
        return;
    }
    __atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED);
    if (the_controller != nullptr && line < the_controller->line_count()) {
        the_controller->disable(line); // nobody wants it: keep it from storming
    }
}

u64 spurious_count() { return __atomic_load_n(&spurious, __ATOMIC_RELAXED); }
} // namespace irq

Result<IrqLine> IrqLine::acquire(const IrqSource& source) {
    irq::Controller* c = irq::the_controller;
    if (c == nullptr) {
        return Errno::enodev;
    }
    u32 line = TRY(c->translate(source));
    if (line >= irq::max_lines || line >= c->line_count()) {
        return Errno::einval;
    }
    SpinLockGuard guard(irq::lock);
    if (irq::slots[line].held) {
        return Errno::ebusy;
    }
    irq::slots[line] = {true, nullptr, 0};
    return IrqLine(line);
}

IrqLine::~IrqLine() {
    if (line_ == none_held) {
        return;
    }
    disable();
    SpinLockGuard guard(irq::lock);
    irq::slots[line_] = {};
}

void IrqLine::attach(IrqHandler& handler) {
    SpinLockGuard guard(irq::lock);
    irq::slots[line_].handler = &handler;
}

void IrqLine::detach() {
    disable();
    SpinLockGuard guard(irq::lock);
    irq::slots[line_].handler = nullptr;
}

void IrqLine::enable() { irq::the_controller->enable(line_); }
void IrqLine::disable() { irq::the_controller->disable(line_); }

u64 IrqLine::count() const {
    SpinLockGuard guard(irq::lock);
    return irq::slots[line_].count;
}

} // namespace keel
