// PCI functions as safe handles. The framework finds the host bridges (the ACPI MCFG table on
// x86, `pci-host-ecam-generic` device-tree nodes elsewhere), walks the buses behind them, gives
// bridges and BARs addresses where the firmware left them unassigned, and lists every function
// it found. A driver claims a function by index and gets a PciDevice: its identity, read-only
// configuration space, BAR windows as IoMem, interrupts as IrqLines and its DmaSpace. It never
// writes configuration space itself, so it cannot move a BAR over RAM, retarget an MSI at
// another device's vector or disable another function.
//
//   for (usize i = 0; i < pci::function_count(); ++i) {
//       PciFunctionInfo info = *pci::function_info(i);
//       if (info.identity.vendor == 0x1af4) {
//           PciDevice dev = TRY(pci::claim(i));
//           IoMem regs = TRY(dev.map_bar(4, 0x3000, 0x1000));
//           ...
#pragma once

#include <keel/dma.h>
#include <keel/io_mem.h>
#include <keel/irq.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/vector.h>

namespace keel {

// segment:bus:device.function, printed like lspci: 0000:00:03.0
struct PciAddress {
    u16 segment = 0;
    u8 bus = 0;
    u8 device = 0;   // 0-31
    u8 function = 0; // 0-7
    constexpr bool operator==(const PciAddress&) const = default;
};

struct PciIdentity {
    u16 vendor = 0;
    u16 device = 0;
    u16 subsystem_vendor = 0;
    u16 subsystem = 0;
    u8 class_code = 0; // base class (0x01 storage, 0x02 network, 0x06 bridge, ...)
    u8 subclass = 0;
    u8 prog_if = 0;
    u8 revision = 0;
};

enum class PciBarKind : u8 { none, memory32, memory64, io };

// A BAR as enumeration left it: its size, and whether it was given an address the CPU reaches.
// A 64-bit BAR takes two slots; the second reads as none.
struct PciBar {
    PciBarKind kind = PciBarKind::none;
    bool prefetchable = false;
    bool assigned = false; // false: no window had room; map_bar refuses it (ENXIO)
    u64 size = 0;
    u64 cpu_address = 0; // where the CPU reaches it (for logs); drivers map through map_bar
};

// What pci::function_info reports before anybody claims the function.
struct PciFunctionInfo {
    PciAddress address;
    PciIdentity identity;
    bool claimed = false;
};

enum class PciIrqKind : u8 { none, msix, msi, intx };

class PciDevice {
public:
    PciDevice(PciDevice&& other) noexcept;
    PciDevice& operator=(PciDevice&&) = delete;
    PciDevice(const PciDevice&) = delete;
    PciDevice& operator=(const PciDevice&) = delete;
    ~PciDevice(); // releases the interrupts, turns bus mastering off, unclaims

    PciAddress address() const;
    const PciIdentity& identity() const;

    // Configuration space, read-only (EINVAL beyond 4 KiB or misaligned).
    Result<u8> config_read8(u16 offset) const;
    Result<u16> config_read16(u16 offset) const;
    Result<u32> config_read32(u16 offset) const;

    // The capability list: offsets of the capabilities with this id, in list order (a
    // malformed list - a loop, a pointer into the header - ends the walk).
    Vector<u16> capabilities(u8 id) const;

    // BAR index 0-5 (none beyond).
    PciBar bar(u32 index) const;
    // A window of a memory BAR. EINVAL outside the BAR; ENXIO for an unassigned, I/O or absent
    // BAR; EPERM when the window overlaps the MSI-X table or PBA, which the framework keeps.
    Result<IoMem> map_bar(u32 index, u64 offset, usize size) const;

    // Memory decoding is on from claim; DMA needs bus mastering too.
    void enable_bus_mastering();

    // Up to `wanted` interrupts: MSI-X vectors when the function and the interrupt controller
    // have them, else one MSI, else the function's INTx line (shared with other functions).
    // Vector i of the result is MSI-X table entry i. ENODEV when the function has none of
    // them (or INTx is not routed); EBUSY when called twice. The lines start disabled.
    // Drop the lines before the PciDevice: when the device goes first it turns its vectors off
    // at the function, and the lines it leaves behind stay quiet until they are dropped.
    Result<Vector<IrqLine>> allocate_irqs(usize wanted);
    PciIrqKind irq_kind() const; // what allocate_irqs gave; none before

    // How the function reaches memory (its host bridge's dma-ranges; identity on QEMU).
    DmaSpace dma_space() const;

    usize index() const { return index_; } // in pci::function_info's list

private:
    friend struct PciDeviceAccess; // framework/bus/pci
    explicit PciDevice(usize index) : index_(index) {}
    static constexpr usize none_claimed = ~usize{0};
    usize index_;
};

namespace pci {

// Functions found at boot, in bus order (segment, bus, device, function).
usize function_count();
Optional<PciFunctionInfo> function_info(usize index);
// ENOENT for an index beyond the list; EBUSY when the function is claimed already.
Result<PciDevice> claim(usize index);

} // namespace pci

} // namespace keel
