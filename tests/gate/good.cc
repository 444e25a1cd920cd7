// A services file within the safe subset: the gate must accept it (so a gate that rejects
// everything cannot pass its own test).

#include <keel/box.h>
#include <keel/console_input.h>
#include <keel/frame.h>
#include <keel/global.h>
#include <keel/io_mem.h>
#include <keel/irq.h>
#include <keel/ktl/atomic.h>
#include <keel/ktl/vector.h>
#include <keel/meminfo.h>
#include <keel/mutex.h>
#include <keel/per_cpu.h>
#include <keel/platform_device.h>
#include <keel/task.h>
#include <keel/timer.h>
#include <keel/vm_space.h>

// Every declaration is in the namespace tests/gate/ owns (tools/gate/gate.conf).
namespace keel::gate {

namespace {
constexpr keel::Array<int, 4> table{1, 2, 3, 4};
} // namespace

int sum_of_table() {
    int sum = 0;
    for (int v : table) {
        sum += v;
    }
    return sum + table[2];
}

keel::Result<int> checked_divide(int a, int b) {
    if (b == 0) {
        return keel::Errno::einval;
    }
    return a / b;
}

// The memory API as services use it: fallible boxes and shared objects, frames, address spaces,
// and typed device registers, all inside the subset.

namespace {
struct Node : keel::RefCounted<Node> {
    int value = 0;
};
struct Status : keel::Register<Status, keel::u32, 0x4> {
    KEEL_REG_BIT(0, ready);
};
} // namespace

using Ints = keel::Array<int, 8>;

keel::Result<int> use_memory_api(const keel::IoMem& device) {
    keel::Box<Ints> box = TRY(keel::make_box<Ints>());
    (*box)[3] = 3;
    keel::RefPtr<Node> node = TRY(keel::make_ref<Node>());
    keel::RefPtr<Node> shared = node;
    shared->value = (*box)[3];
    keel::Frame frame = TRY(keel::Frame::allocate());
    TRY(frame.write_value<keel::u32>(0, 42));
    keel::Box<keel::VmSpace> space = TRY(keel::VmSpace::create());
    TRY(space->map(0x400000, frame, keel::Perms::read_write));
    Status status = TRY(device.read<Status>());
    TRY(device.modify<Status>([](Status& s) { s.set_ready(1); }));
    return node->value + static_cast<int>(status.ready()) +
           static_cast<int>(keel::mem_info().free_bytes > 0);
}

// Tasks, sleeping locks, timers and interrupts as services and drivers use them.

namespace {
class Beeper final : public keel::TimerCallback, public keel::IrqHandler {
public:
    void on_timer() override { ++ticks_; }
    void handle_irq() override { ++irqs_; }
    int total() const { return ticks_ + irqs_; }

private:
    int ticks_ = 0;
    int irqs_ = 0;
};
} // namespace

// What a task shares with its spawner is owned (reference-counted), never the spawner's frame.
namespace {
struct Shared : keel::RefCounted<Shared> {
    keel::Mutex mutex;
    keel::WaitQueue queue;
    int value = 0;
};
} // namespace

keel::Result<int> use_task_api() {
    keel::RefPtr<Shared> shared = TRY(keel::make_ref<Shared>());
    keel::TaskHandle worker = TRY(keel::spawn("worker", [shared] {
        keel::MutexGuard guard(shared->mutex);
        shared->queue.notify_all([&] { ++shared->value; });
    }));
    shared->queue.wait_until([&] { return shared->value > 0; });
    worker.join();
    keel::this_task::sleep_for(1000);
    Beeper beeper;
    keel::Timer timer;
    TRY(timer.arm(1, beeper));
    // A driver's interrupt comes from its device handle.
    keel::PlatformDevice device = TRY(keel::platform::claim(0));
    keel::IrqLine line = TRY(device.irq(0));
    line.attach(beeper);
    line.enable();
    keel::Array<keel::u8, 16> buffer{};
    keel::usize got = keel::console_input::read(buffer.span());
    return shared->value + beeper.total() + static_cast<int>(got);
}

// Per-CPU counters and a task bound to a CPU, as a service keeps statistics.

namespace {
struct Counters : keel::RefCounted<Counters> {
    keel::PerCpu<keel::Atomic<keel::u64>> events;
};
} // namespace

keel::Result<keel::u64> use_per_cpu_api() {
    keel::RefPtr<Counters> counters = TRY(keel::make_ref<Counters>());
    keel::TaskHandle counter = TRY(keel::spawn_on(0, "counter", [counters] {
        counters->events.with_local(
            [](keel::Atomic<keel::u64>& mine) { mine.fetch_add(1, keel::MemoryOrder::relaxed); });
    }));
    counter.join();
    keel::u64 total = 0;
    counters->events.for_each_online([&](keel::u32, keel::Atomic<keel::u64>& n) {
        total += n.load(keel::MemoryOrder::relaxed);
    });
    return total + counters->events.on(0).load(keel::MemoryOrder::relaxed);
}

// A word shared between CPUs, as a service counts events without a lock.

keel::u64 use_atomic_api(keel::Atomic<keel::u64>& events, keel::Atomic<bool>& ready) {
    events.fetch_add(1, keel::MemoryOrder::relaxed);
    bool expected = false;
    ready.compare_exchange(expected, true, keel::MemoryOrder::acq_rel);
    return ready.load(keel::MemoryOrder::acquire) ? events.load() : 0;
}

// Kernel-wide state: a constant Global, changed only under its lock.

namespace {
KEEL_GLOBAL(keel::Vector<int>, registered);
} // namespace

keel::Result<keel::usize> use_global_api(int value) {
    TRY(registered.with([&](keel::Vector<int>& all) { return all.push_back(value); }));
    return registered.with([](keel::Vector<int>& all) { return all.size(); });
}

} // namespace keel::gate
