// riscv64: the hart's one-shot timer (hart_timer.h).
#include "hart_timer.h"

#include <arch/clock.h>

#include <keel/ktl/array.h>

#include "csr.h"
#include "isa.h"
#include "mm/cpu_local.h"
#include "sbi.h"

extern "C" keel::u64 keel_riscv_probe_stimecmp(keel::u64 value, keel::u64* read_back);

namespace keel::arch::riscv {

namespace {
constexpr u64 ns_per_s = 1000000000;
constexpr u64 disarmed = ~u64{0};

// Per hart: each chooses for itself (the probe runs on it), and the ktests switch only theirs.
constinit Array<HartTimer, max_cpus> kinds{};

HartTimer& kind() { return kinds[this_cpu()]; }

HartTimer choose() {
    // The ISA string says the hart has Sstc; the probe says the firmware enabled it for S-mode.
    if (boot_hart_has_extension("sstc") && stimecmp_works()) {
        return HartTimer::sstc;
    }
    if (sbi::has_extension(sbi::ext_time)) {
        return HartTimer::sbi_time;
    }
    return HartTimer::sbi_legacy;
}
} // namespace

bool stimecmp_works() {
    u64 read_back = 0;
    return keel_riscv_probe_stimecmp(disarmed, &read_back) == 0 && read_back == disarmed;
}

void init_hart_timer() {
    kind() = choose();
    program_hart_timer(disarmed); // a bootloader may have left it armed
    csr::set_sie(csr::irq_sti);
}

HartTimer hart_timer() { return kind(); }

StringView hart_timer_name(HartTimer k) {
    switch (k) {
    case HartTimer::sstc:
        return "Sstc stimecmp";
    case HartTimer::sbi_time:
        return "SBI timer";
    case HartTimer::sbi_legacy:
        return "SBI legacy timer";
    case HartTimer::none:
        break;
    }
    return "none";
}

void program_hart_timer(u64 ticks) {
    switch (kind()) {
    case HartTimer::sstc:
        csr::write_stimecmp(ticks);
        break;
    case HartTimer::sbi_time:
        sbi::call(sbi::ext_time, 0, ticks);
        break;
    case HartTimer::sbi_legacy:
        sbi::call(sbi::ext_legacy_set_timer, 0, ticks);
        break;
    case HartTimer::none:
        break;
    }
}

u64 ticks_for_ns(u64 ns) {
    u64 freq = counter_frequency();
    // clock::monotonic_ns() is floor(ticks * 1e9 / freq): the least ticks reaching ns is
    // ceil(ns * freq / 1e9), computed in two parts so that nothing overflows below 18 GHz.
    u64 whole = ns / ns_per_s;
    u64 part = ((ns % ns_per_s) * freq + ns_per_s - 1) / ns_per_s;
    if (freq == 0 || whole > (disarmed - part) / freq) {
        return disarmed;
    }
    return whole * freq + part;
}

void use_hart_timer(HartTimer k) {
    if (k != HartTimer::none) {
        program_hart_timer(disarmed);
        kind() = k;
    }
}

} // namespace keel::arch::riscv
