// The boot report: what the kernel logs about the machine it woke up on, and the totals it
// derives from the memory map. Kept apart from main.cc so ktests can check the arithmetic.
#pragma once

namespace keel::services {

struct MemoryTotals {
    u64 usable = 0;
    u64 reserved = 0; // everything that is not usable: firmware, kernel, initrd, tables
    u64 highest_usable_end = 0;
};

MemoryTotals memory_totals(const BootInfo& boot);

// Logs protocol, command line, memory map with totals, initrd, device tree / ACPI facts.
void log_boot_report(const BootInfo& boot);

} // namespace keel::services
