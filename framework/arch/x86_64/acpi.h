// The firmware's ACPI tables, for the x86 code that needs them (the MADT for the interrupt
// controllers, the FADT for the RTC's century register): RSDP -> XSDT or RSDT -> a table by
// signature, each checked by its checksum before use.
#pragma once

#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>

namespace keel::x86::acpi {

// Reads physical memory: through the linear map where it covers the range (RAM: ACPI
// reclaimable areas, the multiboot2 copy of the RSDP), else through device mappings of the
// firmware areas the kernel does not map (the BIOS segment holding qboot's RSDP, SeaBIOS's
// reserved table area). A mapping covering a later read is reused; all are released with the
// reader, so the bytes it hands out live as long as it does.
class PhysReader {
public:
    PhysReader() = default;
    PhysReader(const PhysReader&) = delete;
    PhysReader& operator=(const PhysReader&) = delete;
    ~PhysReader();

    Optional<Bytes> read(u64 phys, usize size);

private:
    struct Window {
        u64 phys = 0;
        uptr va = 0;
        usize size = 0;
    };
    FixedVector<Window, 32> windows_;
};

// The first `size` bytes as text, for comparing signatures.
StringView signature(Bytes bytes, usize size);
u8 byte_sum(Bytes bytes);

// The first table with this 4-character signature, whole and with a good checksum. ENOENT when
// the firmware has none (or no RSDP), EINVAL when the RSDP or the root table is damaged.
Result<Bytes> find_table(PhysReader& mem, StringView sig);

} // namespace keel::x86::acpi
