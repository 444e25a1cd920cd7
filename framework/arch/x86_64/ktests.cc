// ktests of the x86_64 port: the devices and CPU state the boot code set up, checked on the
// running machine. They read hardware directly, so they live with the arch, not in services.
#include <keel/ktest.h>

#include <arch/clock.h>
#include <arch/cpu.h>
#include <arch/memory.h>

#include "acpi.h"
#include "address.h"
#include "apic.h"
#include "backtrace.h"
#include "console/uart16550.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"
#include "mmio.h"
#include "rtc.h"
#include "x86.h"

// A named namespace, not an anonymous one: the backtrace test looks for these names.
namespace keel::x86::ktests {

bool contains(StringView text, StringView needle) {
    for (usize i = 0; i + needle.size() <= text.size(); ++i) {
        if (text.substr(i, needle.size()) == needle) {
            return true;
        }
    }
    return false;
}

using acpi::byte_sum;
using acpi::PhysReader;
using acpi::signature;

KTEST(x86_console, com1_scratch_register_round_trip) {
    KEXPECT(com1().scratch_register_works());
    KEXPECT(console::current() == &com1());
}

KTEST(x86_cpu, long_mode_paging_and_nx) {
    u64 efer = rdmsr(msr_efer);
    KEXPECT((efer & efer_lme) != 0);
    KEXPECT((efer & efer_lma) != 0);
    KEXPECT((read_cr0() & (u64{1} << 31)) != 0); // PG
    KEXPECT((read_cr4() & (u64{1} << 5)) != 0);  // PAE
    // QEMU's default CPU has NX; the boot code must then have turned it on.
    KEXPECT((cpuid(0x80000001).edx & (1u << 20)) != 0);
    KEXPECT((efer & efer_nxe) != 0);
}

KTEST(x86_clock, tsc_advances_at_a_plausible_rate) {
    u64 a = arch::counter();
    u64 b = arch::counter();
    KEXPECT(b > a);
    u64 hz = arch::counter_frequency();
    KEXPECT(hz >= 100000000 && hz <= 10000000000);
}

KTEST(x86_clock, tsc_frequency_agrees_with_the_pit) {
    // 5 ms of PIT time takes 5 ms of TSC ticks at the frequency init_clock settled on, in a run
    // whose ends are known closely (one the emulator did not stall in a port access).
    constexpr u16 five_ms = pit_hz / 200;
    u64 expected = arch::counter_frequency() / 200;
    PitRun run;
    for (int attempt = 0; attempt < 50 && !run.trustworthy(); ++attempt) {
        run = tsc_ticks_over_pit(five_ms);
        KASSERT(run.ticks != 0); // the PIT answers
    }
    if (!run.trustworthy()) {
        ktest::skip("the emulator stalled every one of 50 PIT runs");
        return;
    }
    KEXPECT(run.ticks > expected * 9 / 10 && run.ticks < expected * 11 / 10);
    format(console::sink(), "ktest:     {} TSC ticks in 5 ms of PIT (within {}), expected {}\n",
           run.ticks, run.uncertainty, expected);
}

KTEST(x86_memory, kernel_image_is_reserved) {
    PhysRange image = arch::kernel_image_phys();
    KEXPECT(image.size > 0);
    KEXPECT(image.base % page_size == 0);
    bool covered = false;
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind == MemoryKind::KernelImage && r.base <= image.base && r.end() >= image.end()) {
            covered = true;
        }
        // Nothing usable may overlap the image.
        if (r.kind == MemoryKind::Usable) {
            KEXPECT(r.end() <= image.base || r.base >= image.end());
        }
    }
    KEXPECT(covered);
    // The boot stack and this very code run inside it.
    KEXPECT(arch::boot_stack().base - kernel_vma >= image.base);
    KEXPECT(arch::boot_stack().end - kernel_vma <= image.end());
}

KTEST(x86_memory, ram_in_the_map_matches_qemu_cmos) {
    // QEMU records its RAM size in CMOS: 64 KiB units above 16 MiB (below 4 GiB), and above
    // 4 GiB. The map must account for all of it, less the firmware's few reservations.
    u64 mid = cmos_read(0x34) | u64{cmos_read(0x35)} << 8;
    u64 high = cmos_read(0x5b) | u64{cmos_read(0x5c)} << 8 | u64{cmos_read(0x5d)} << 16;
    u64 ram = (u64{16} << 20) + (mid << 16) + (high << 16);
    const BootInfo& boot = boot_info();
    u64 claimed = boot.total_bytes(MemoryKind::Usable) + boot.total_bytes(MemoryKind::KernelImage) +
                  boot.total_bytes(MemoryKind::Initrd) + boot.total_bytes(MemoryKind::BootInfo);
    KEXPECT(claimed <= ram);
    KEXPECT(claimed + (u64{2} << 20) >= ram);
}

KTEST(x86_acpi, rsdp_signature_and_checksums) {
    KASSERT(boot_info().acpi_rsdp.has_value());
    u64 rsdp = *boot_info().acpi_rsdp;
    PhysReader mem;
    Optional<Bytes> v1 = mem.read(rsdp, 20);
    KASSERT(v1.has_value());
    KEXPECT(signature(*v1, 8) == StringView("RSD PTR "));
    KEXPECT_EQ(byte_sum(*v1), 0);
    if ((*v1)[15] >= 2) {
        Optional<Bytes> v2 = mem.read(rsdp, 36);
        KASSERT(v2.has_value());
        KEXPECT_EQ(byte_sum(*v2), 0);
    }
}

// The local APIC's and the first I/O APIC's addresses, from the MADT reached through the RSDT:
// a reading of the table independent of madt.cc, to check what the controller was set up from.
struct MadtAddresses {
    u64 local_apic = 0;
    u64 io_apic = 0;
};
Optional<MadtAddresses> addresses_from_madt() {
    PhysReader mem;
    Optional<Bytes> rsdp = boot_info().acpi_rsdp ? mem.read(*boot_info().acpi_rsdp, 20) : none;
    Optional<Bytes> rsdt_head = rsdp ? mem.read(read_le<u32>(*rsdp, 16), 36) : none;
    Optional<Bytes> rsdt =
        rsdt_head ? mem.read(read_le<u32>(*rsdp, 16), read_le<u32>(*rsdt_head, 4)) : none;
    if (!rsdt) {
        return none;
    }
    for (usize at = 36; at + 4 <= rsdt->size(); at += 4) {
        u32 table = read_le<u32>(*rsdt, at);
        Optional<Bytes> head = mem.read(table, 36);
        if (!head || signature(*head, 4) != StringView("APIC")) {
            continue;
        }
        Optional<Bytes> madt = mem.read(table, read_le<u32>(*head, 4));
        for (usize e = 44; madt && e + 2 <= madt->size();) {
            u8 type = (*madt)[e];
            u8 length = (*madt)[e + 1];
            if (length < 2 || e + length > madt->size()) {
                return none;
            }
            if (type == 1 && length >= 12) {
                return MadtAddresses{read_le<u32>(*madt, 36), read_le<u32>(*madt, e + 4)};
            }
            e += length;
        }
    }
    return none;
}
Optional<u64> ioapic_from_madt() {
    Optional<MadtAddresses> a = addresses_from_madt();
    return a ? Optional<u64>(a->io_apic) : none;
}

KTEST(x86_irq, controllers_are_the_madt_ones_and_kept_from_drivers) {
    Optional<MadtAddresses> madt = addresses_from_madt();
    KASSERT(madt.has_value());
    KASSERT(local_apic().ready());
    KEXPECT_EQ(local_apic().phys(), madt->local_apic);
    // The CPU decodes its APIC where IA32_APIC_BASE says, and it is enabled in xAPIC mode.
    u64 apic_base = rdmsr(0x1b);
    KEXPECT_EQ(apic_base & ~u64{0xfff}, madt->local_apic);
    KEXPECT((apic_base & (1 << 11)) != 0);
    KEXPECT((apic_base & (1 << 10)) == 0);
    IoApic* io = io_apic_for(0);
    KASSERT(io != nullptr);
    KEXPECT_EQ(io->phys(), madt->io_apic);
    KEXPECT(io->pins() >= 16);
    // Claimed by the framework: a driver cannot map them.
    KEXPECT_EQ(IoMem::acquire(madt->local_apic, 0x1000).error(), Errno::eperm);
    KEXPECT_EQ(IoMem::acquire(madt->io_apic, 0x20).error(), Errno::eperm);
}

KTEST(x86_memory, map_device_early_reads_the_ioapic) {
    Optional<u64> ioapic = ioapic_from_madt();
    KASSERT(ioapic.has_value());
    // After the kernel space took over, map_device_early maps into the dynamic area.
    Result<uptr> mapped = arch::map_device_early(*ioapic, 0x20);
    KASSERT(mapped.ok());
    KEXPECT(mapped.value() >= fixmap_base || mm::dynamic_area().contains(mapped.value(), 0x20));
    KEXPECT_EQ(mapped.value() % page_size, *ioapic % page_size);
    // IOREGSEL at 0, IOWIN at 0x10; register 1 is the version: version in bits 0-7, the highest
    // redirection entry in bits 16-23.
    mmio::write32(mapped.value(), 1);
    u32 version = mmio::read32(mapped.value() + 0x10);
    KEXPECT((version & 0xff) >= 0x11 && (version & 0xff) <= 0x20);
    KEXPECT(((version >> 16) & 0xff) >= 15);
    KEXPECT(arch::map_device_early(*ioapic, 0).is_error());
}

[[gnu::noinline]] void capture_backtrace(FixedString<2048>& out) {
    print_backtrace(out);
    out.write("end\n"); // work after the call: no tail call, so this frame is on the stack
}

KTEST(x86_backtrace, frames_are_symbolized) {
    Optional<SymbolHit> hit = symbolize(address_of(&capture_backtrace) + 1);
    KASSERT(hit.has_value());
    KEXPECT(contains(hit->name, "capture_backtrace"));
    KEXPECT_EQ(hit->offset, 1u);
    KEXPECT(!symbolize(0).has_value());

    FixedString<2048> text;
    capture_backtrace(text);
    KEXPECT(contains(text.view(), "capture_backtrace"));
    KEXPECT(contains(text.view(), "run_all"));
    KEXPECT(contains(text.view(), "keel_main"));
}

} // namespace keel::x86::ktests
