// riscv64: the PLIC as the irq::Controller (plic.h). Register layout from the RISC-V PLIC
// specification: priorities at 4 * source, pending bits at 0x1000, each context's enable bits at
// 0x2000 + 0x80 * context, its threshold at 0x200000 + 0x1000 * context and its claim/complete
// register 4 bytes after that.
#include "plic.h"

#include "device_tree.h"
#include "io_mem_internal.h"

namespace keel::arch::riscv {

namespace {
constexpr usize pending_base = 0x1000;
constexpr usize enable_base = 0x2000;
constexpr usize enable_stride = 0x80;
constexpr usize context_base = 0x200000;
constexpr usize context_stride = 0x1000;
constexpr u32 max_sources = 1023;  // the specification's limit
constexpr u32 s_mode_external = 9; // the hart-local cause of a context for S-mode

constinit Plic the_plic;

// The index, in the PLIC node's interrupts-extended, of hart's S-mode external context: each
// entry is a phandle of a hart's "riscv,cpu-intc" then that controller's #interrupt-cells cells,
// the first of which is the cause. (OpenSBI overwrites the M-mode causes with ~0.)
Result<u32> s_mode_context(const boot::DeviceTree& dt, boot::DeviceTree::Node plic, u64 hart) {
    Optional<Bytes> list = dt.property(plic, "interrupts-extended");
    if (!list) {
        return Errno::enodev;
    }
    usize at = 0;
    for (u32 index = 0; at + 4 <= list->size(); ++index) {
        Optional<boot::DeviceTree::Node> intc = find_phandle(dt, read_be<u32>(*list, at));
        if (!intc) {
            return Errno::einval; // its cell count is unknown: the rest cannot be read
        }
        u64 cells = dt.integer_property(*intc, "#interrupt-cells").value_or(1);
        at += 4;
        if (cells == 0 || cells > 4 || at + 4 * cells > list->size()) {
            return Errno::einval;
        }
        u32 cause = read_be<u32>(*list, at);
        at += 4 * cells;
        Optional<boot::DeviceTree::Node> cpu = dt.parent(*intc);
        Optional<u64> cpu_reg = cpu ? dt.integer_property(*cpu, "reg") : none;
        if (dt.is_compatible(*intc, "riscv,cpu-intc") && cause == s_mode_external && cpu_reg &&
            *cpu_reg == hart) {
            return index;
        }
    }
    return Errno::enodev;
}

Optional<boot::DeviceTree::Node> find_plic(const boot::DeviceTree& dt) {
    Optional<boot::DeviceTree::Node> node = find_compatible(dt, "sifive,plic-1.0.0");
    return node ? node : find_compatible(dt, "riscv,plic0");
}
} // namespace

Plic& plic() { return the_plic; }

Result<void> Plic::init(const boot::DeviceTree& dt, u64 hart) {
    Optional<boot::DeviceTree::Node> node = find_plic(dt);
    if (!node) {
        return Errno::enodev;
    }
    Optional<PhysRange> reg = first_reg(dt, *node);
    Optional<u64> ndev = dt.integer_property(*node, "riscv,ndev");
    if (!reg || !ndev || *ndev == 0 || *ndev > max_sources) {
        return Errno::einval;
    }
    u32 context = TRY(s_mode_context(dt, *node, hart));
    if (reg->size < context_base + context_stride * (context + 1)) {
        return Errno::einval; // the context's registers lie outside the node's window
    }
    IoMem window = TRY(IoMemAccess::acquire_claimed(reg->base, reg->size));
    regs_ = move(window);
    phys_ = reg->base;
    sources_ = static_cast<u32>(*ndev);
    context_ = context;

    // Mask everything for this context (a bootloader may have left lines on), then give every
    // source the lowest deliverable priority and let all through the threshold: from here on a
    // line is delivered exactly when its enable bit is set.
    for (u32 word = 0; word <= sources_ / 32; ++word) {
        write(enable_base + enable_stride * context_ + 4 * word, 0);
    }
    for (u32 source = 1; source <= sources_; ++source) {
        write(4 * source, 1);
    }
    write(threshold_offset(), 0);
    return {};
}

Result<void> Plic::quiet_hart(const boot::DeviceTree& dt, u64 hart) {
    Optional<boot::DeviceTree::Node> node = find_plic(dt);
    if (!ready() || !node) {
        return Errno::enodev;
    }
    u32 context = TRY(s_mode_context(dt, *node, hart));
    if (regs_->size() < context_base + context_stride * (context + 1)) {
        return Errno::einval;
    }
    // Only this hart's registers: the boot hart's context is untouched, so no lock is needed.
    for (u32 word = 0; word <= sources_ / 32; ++word) {
        write(enable_base + enable_stride * context + 4 * word, 0);
    }
    write(context_base + context_stride * context, 0);
    return {};
}

Result<u32> Plic::translate(const IrqSource& source) {
    if (source.kind != IrqSource::Kind::device_tree || source.cell_count != 1) {
        return Errno::einval;
    }
    u32 id = source.cells[0];
    if (id == 0 || id > sources_) {
        return Errno::einval; // 0 means "no interrupt" to the PLIC
    }
    return id;
}

void Plic::enable(u32 line) {
    SpinLockGuard guard(lock_);
    if (line == in_service_) {
        disable_when_completed_ = false;
    }
    (void)set_enable_bit(line, true);
}

void Plic::disable(u32 line) {
    SpinLockGuard guard(lock_);
    if (line != 0 && line == in_service_) {
        disable_when_completed_ = true;
        return;
    }
    (void)set_enable_bit(line, false);
}

void Plic::handle_external() {
    if (!ready()) {
        return;
    }
    for (;;) {
        u32 id = read(claim_offset()); // the highest-priority pending source, now in service
        if (id == 0) {
            return;
        }
        {
            SpinLockGuard guard(lock_);
            in_service_ = id;
        }
        irq::dispatch(id);
        write(claim_offset(), id); // complete: the source may interrupt again
        SpinLockGuard guard(lock_);
        in_service_ = 0;
        if (disable_when_completed_) {
            disable_when_completed_ = false;
            (void)set_enable_bit(id, false);
        }
    }
}

bool Plic::is_enabled(u32 line) const {
    return line != 0 && line <= sources_ && (read(enable_word(line)) >> (line % 32) & 1) != 0;
}

bool Plic::is_pending(u32 line) const {
    return line != 0 && line <= sources_ &&
           (read(pending_base + 4 * (line / 32)) >> (line % 32) & 1) != 0;
}

Result<void> Plic::set_enable_bit(u32 line, bool on) {
    if (!ready() || line == 0 || line > sources_) {
        return Errno::einval;
    }
    usize word = enable_word(line);
    u32 bit = u32{1} << (line % 32);
    u32 value = read(word);
    write(word, on ? value | bit : value & ~bit);
    // The PLIC re-evaluates its output on a threshold write; QEMU (7.2 at least) does not on an
    // enable write, so a line pending while masked would wait for the next unrelated event.
    write(threshold_offset(), 0);
    return {};
}

// The offsets below were checked against the window in init(), so the accesses cannot fail;
// a failure would read as 0 ("nothing pending", "no interrupt").
u32 Plic::read(usize offset) const { return regs_ ? regs_->read32(offset).value_or(0) : 0; }

void Plic::write(usize offset, u32 value) const {
    if (regs_) {
        (void)regs_->write32(offset, value);
    }
}

usize Plic::enable_word(u32 line) const {
    return enable_base + enable_stride * context_ + 4 * (line / 32);
}
usize Plic::threshold_offset() const { return context_base + context_stride * context_; }
usize Plic::claim_offset() const { return threshold_offset() + 4; }

} // namespace keel::arch::riscv
