// What every framework/arch/<arch>/ folder supplies to the generic framework, one header per
// concern. arch/cpu.h is the arch's own (framework/arch/<arch>/include/: constants differ; its
// functions are declared once in arch/cpu_control.h);
// the others are declared once in framework/arch/include/arch/ and defined by each arch. The
// names are checked at compile time (arch_contract.cc) and the definitions at link time, so a
// missing or mistyped piece of a port fails the build, not the boot.
//
// arch/cpu.h
//   [[noreturn]] void halt();                      stop this CPU for good, interrupts off
//   void disable_interrupts();
//   uptr current_frame_pointer();
//   constexpr isize frame_record_offset;           {caller fp, return address} at fp + offset
//   constexpr StringView name;                     "x86_64", "riscv64", "aarch64"
// arch/barrier.h (the arch's own, inline: each is one instruction or none)
//   void io_write_fence();  void io_read_fence();       memory vs MMIO, as writel/readl
//   void dma_write_fence(); void dma_read_fence(); void dma_full_fence();
//                                                  CPU vs device in coherent DMA memory
// arch/memory.h
//   uptr phys_to_virt(u64 phys);                   through the boot linear map
//   u64 early_phys_limit();                        end of what the boot linear map covers
//   PhysRange kernel_image_phys();                 the loaded image, text to bss
//   VirtRange boot_stack();                        the boot CPU's stack
//   DeviceWindow device_window();  void map_device_window_slot(usize slot, u64 phys);
//   void device_window_sync();     the early device window's page-table primitives, over which
//                                  framework/early_device_window.cc defines map_device_early
// arch/paging.h                               the probed PTE format, the kernel layout, roots,
//                                              ASIDs, TLB flushes, user-access windows
// arch/clock.h
//   void init_clock(const BootInfo&);  u64 counter();  u64 counter_frequency();
// arch/interrupts.h
//   void init_interrupts(const BootInfo&);     controller + per-CPU timer from firmware facts
//   void set_timer_deadline(u64 ns);  void wait_for_interrupt();
//   StringView interrupt_controller_name();  StringView timer_name();
// arch/power.h
//   [[noreturn]] void power_off(int status);       0 = success; never returns
// arch/pci.h
//   void register_firmware_pci_bridges();     host bridges of the arch's firmware tables (x86:
//                                              ACPI MCFG); DT bridges are found generically
//   pci::ConfigSpace* pci_legacy_config();     x86's 0xcf8/0xcfc ports; nullptr elsewhere
// arch/console.h
//   void install_console(const BootInfo&);         the boot console (console::install)
// arch/user_mode.h                            user registers, enter_user and its trap decoding,
//                                              the syscall convention, user copies with fault
//                                              fixup, the probes of the user-mode ktests
//
// The arch's boot entry builds a boot::Handoff and calls boot::start() (boot/start.h).
#pragma once

#include <keel/boot_info.h>

namespace keel {
struct VirtRange {
    uptr base = 0;
    uptr end = 0;
    constexpr bool contains(uptr a, usize size) const {
        return a >= base && a <= end && end - a >= size;
    }
};
} // namespace keel
