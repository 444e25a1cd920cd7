#include <keel/irq.h>
#include <keel/ktl/array.h>
#include <keel/ktl/atomic.h>
#include <keel/ktl/fixed_vector.h>
#include <keel/spin_lock.h>

#include "irq/controller.h"

namespace keel {

namespace irq {
namespace {

constexpr usize max_sharers = 8;

enum class Holding : u8 { free, exclusive, shared, msi };

struct Slot {
    Holding holding = Holding::free;
    u8 holders = 0;
    u8 enabled = 0; // holders that want the line unmasked
    FixedVector<IrqHandler*, max_sharers> handlers;
    LineMask* mask = nullptr;
    u64 count = 0;
    u32 in_flight = 0; // dispatches running the handlers right now
};

constinit SpinLock lock;
constinit Controller* the_controller = nullptr;
constinit Array<Slot, max_lines> slots{};
constinit Atomic<u64> spurious{0};

void remove_handler(Slot& slot, IrqHandler* handler) {
    for (usize i = 0; i < slot.handlers.size(); ++i) {
        if (slot.handlers[i] == handler) {
            slot.handlers.remove_at(i);
            return;
        }
    }
}

// Waits until no CPU runs line's handlers (Linux's synchronize_irq), so that a detached handler
// may go away. Never from the line's own handler.
void wait_for_handlers(u32 line) {
    for (;;) {
        SpinLockGuard guard(lock);
        if (slots[line].in_flight == 0) {
            return;
        }
    }
}

// Masks or unmasks at the device (an MSI-X vector) and at the controller.
void apply_mask(u32 line, LineMask* mask, bool masked) {
    if (mask != nullptr) {
        mask->set_masked(masked);
    }
    if (masked) {
        the_controller->disable(line);
    } else {
        the_controller->enable(line);
    }
}

} // namespace

void register_controller(Controller& c) { the_controller = &c; }
Controller* controller() { return the_controller; }

void dispatch(u32 line) {
    FixedVector<IrqHandler*, max_sharers> handlers;
    if (line < max_lines) {
        SpinLockGuard guard(lock);
        Slot& slot = slots[line];
        handlers = slot.handlers;
        slot.count += handlers.empty() ? 0 : 1;
        slot.in_flight += handlers.empty() ? 0 : 1;
    }
    if (!handlers.empty()) {
        for (IrqHandler* handler : handlers) {
            handler->handle_irq();
        }
        SpinLockGuard guard(lock);
        --slots[line].in_flight;
        return;
    }
    spurious.fetch_add(1, MemoryOrder::relaxed);
    if (the_controller != nullptr && line < the_controller->line_count()) {
        the_controller->disable(line); // nobody wants it: keep it from storming
    }
}

u64 spurious_count() { return spurious.load(MemoryOrder::relaxed); }

Result<IrqLine> acquire_line(const IrqSource& source, Holding holding) {
    Controller* c = the_controller;
    if (c == nullptr) {
        return Errno::enodev;
    }
    u32 line = TRY(c->translate(source));
    if (line >= max_lines || line >= c->line_count()) {
        return Errno::einval;
    }
    SpinLockGuard guard(lock);
    Slot& slot = slots[line];
    bool joinable =
        holding == Holding::shared && slot.holding == Holding::shared && slot.holders < max_sharers;
    if (slot.holding != Holding::free && !joinable) {
        return Errno::ebusy;
    }
    if (slot.holding == Holding::free) {
        slot = Slot{};
        slot.holding = holding;
    }
    ++slot.holders;
    return IrqLineAccess::held(line);
}

} // namespace irq

Result<IrqLine> IrqLine::acquire(const IrqSource& source) {
    return irq::acquire_line(source, irq::Holding::exclusive);
}

Result<IrqLine> IrqLine::acquire_shared(const IrqSource& source) {
    return irq::acquire_line(source, irq::Holding::shared);
}

IrqLine::~IrqLine() {
    if (line_ == none_held) {
        return;
    }
    detach();
    SpinLockGuard guard(irq::lock);
    irq::Slot& slot = irq::slots[line_];
    if (--slot.holders == 0) {
        if (slot.holding == irq::Holding::msi) {
            irq::the_controller->free_msi(line_);
        }
        slot = irq::Slot{};
    }
}

void IrqLine::attach(IrqHandler& handler) {
    {
        SpinLockGuard guard(irq::lock);
        irq::Slot& slot = irq::slots[line_];
        if (handler_ != nullptr) {
            irq::remove_handler(slot, handler_);
        }
        // Room is certain: a line has at most max_sharers holders, each with one handler.
        (void)slot.handlers.push(&handler);
    }
    IrqHandler* replaced = handler_;
    handler_ = &handler;
    if (replaced != nullptr) {
        irq::wait_for_handlers(line_);
    }
}

void IrqLine::detach() {
    disable();
    if (handler_ == nullptr) {
        return;
    }
    {
        SpinLockGuard guard(irq::lock);
        irq::remove_handler(irq::slots[line_], handler_);
    }
    handler_ = nullptr;
    irq::wait_for_handlers(line_);
}

void IrqLine::enable() {
    if (enabled_) {
        return;
    }
    enabled_ = true;
    // The count and the mask change together, under the lock: two holders of a shared line
    // enabling and disabling at once cannot leave it masked while one wants it, and the mask
    // object cannot go (PciDevice::release_irqs) while it is used.
    SpinLockGuard guard(irq::lock);
    irq::Slot& slot = irq::slots[line_];
    if (slot.enabled++ == 0) {
        irq::apply_mask(line_, slot.mask, false);
    }
}

void IrqLine::disable() {
    if (!enabled_) {
        return;
    }
    enabled_ = false;
    // The count and the mask change together, under the lock: two holders of a shared line
    // enabling and disabling at once cannot leave it masked while one wants it, and the mask
    // object cannot go (PciDevice::release_irqs) while it is used.
    SpinLockGuard guard(irq::lock);
    irq::Slot& slot = irq::slots[line_];
    if (--slot.enabled == 0) {
        irq::apply_mask(line_, slot.mask, true);
    }
}

u64 IrqLine::count() const {
    SpinLockGuard guard(irq::lock);
    return irq::slots[line_].count;
}

IrqLine IrqLineAccess::held(u32 line) { return IrqLine(line); }

Result<IrqLine> IrqLineAccess::allocate_msi(u32 device_id) {
    irq::Controller* c = irq::the_controller;
    if (c == nullptr) {
        return Errno::enodev;
    }
    u32 line = TRY(c->allocate_msi(device_id));
    SpinLockGuard guard(irq::lock);
    irq::Slot& slot = irq::slots[line];
    if (slot.holding != irq::Holding::free) {
        // A firmware specifier already named this line (a GICv2m SPI in a device tree).
        c->free_msi(line);
        return Errno::ebusy;
    }
    slot = irq::Slot{};
    slot.holding = irq::Holding::msi;
    slot.holders = 1;
    return IrqLine(line);
}

irq::MsiMessage IrqLineAccess::msi_message(const IrqLine& line) {
    return irq::the_controller->msi_message(line.line_);
}

void IrqLineAccess::set_mask(const IrqLine& line, irq::LineMask* mask) {
    SpinLockGuard guard(irq::lock);
    irq::slots[line.line_].mask = mask;
}

void IrqLineAccess::clear_mask(u32 line, irq::LineMask* mask) {
    if (line >= irq::max_lines) {
        return;
    }
    SpinLockGuard guard(irq::lock);
    if (irq::slots[line].mask == mask) {
        irq::slots[line].mask = nullptr;
    }
}

} // namespace keel
