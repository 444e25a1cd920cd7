// PCI on the machine itself: QEMU q35 (host bridge 8086:29c0) and the virt machines
// (1b36:0008), whose host bridge is function 00:00.0 and has no BARs.
#include <keel/ktest.h>
#include <keel/pci.h>

#include "bus/pci/host_bridge.h"

namespace keel {

namespace {

bool is_host_bridge(const PciFunctionInfo& info) {
    const PciIdentity& id = info.identity;
    return info.address == PciAddress{} && ((id.vendor == 0x8086 && id.device == 0x29c0) ||
                                            (id.vendor == 0x1b36 && id.device == 0x0008));
}

// The index of 00:00.0 when it is one of the known host bridges.
Optional<usize> host_bridge_index() {
    for (usize i = 0; i < pci::function_count(); ++i) {
        Optional<PciFunctionInfo> info = pci::function_info(i);
        if (info && is_host_bridge(*info)) {
            return i;
        }
    }
    return none;
}

// No registered host bridge: a machine without PCI, nothing to test (every board of
// ./keel test has one, so there a skip would show in its log).
bool no_pci() {
    if (pci::host_bridge_count() == 0) {
        ktest::skip("no PCI host bridge on this machine");
        return true;
    }
    return false;
}

} // namespace

KTEST(pci, host_bridge_function_exists) {
    if (no_pci()) {
        return;
    }
    KEXPECT(pci::function_count() > 0);
    KEXPECT(host_bridge_index().has_value());
    KEXPECT(!pci::function_info(pci::function_count()).has_value());
}

KTEST(pci, claim_twice_is_ebusy) {
    if (no_pci()) {
        return;
    }
    Optional<usize> index = host_bridge_index();
    KASSERT(index.has_value());
    {
        Result<PciDevice> first = pci::claim(*index);
        KASSERT(first.ok());
        KEXPECT_EQ(first.value().index(), *index);
        KEXPECT(pci::function_info(*index)->claimed);
        Result<PciDevice> second = pci::claim(*index);
        KEXPECT(second.is_error() && second.error() == Errno::ebusy);
        // Moving the handle keeps the claim.
        PciDevice moved(move(first.value()));
        KEXPECT(pci::claim(*index).is_error());
    }
    KEXPECT(!pci::function_info(*index)->claimed);
    Result<PciDevice> again = pci::claim(*index);
    KEXPECT(again.ok());
    Result<PciDevice> beyond = pci::claim(pci::function_count());
    KEXPECT(beyond.is_error() && beyond.error() == Errno::enoent);
}

KTEST(pci, config_reads_are_bounded) {
    if (no_pci()) {
        return;
    }
    Optional<usize> index = host_bridge_index();
    KASSERT(index.has_value());
    Result<PciDevice> dev = pci::claim(*index);
    KASSERT(dev.ok());
    Result<u16> vendor = dev.value().config_read16(0);
    KASSERT(vendor.ok());
    KEXPECT_EQ(vendor.value(), dev.value().identity().vendor);
    Result<u32> beyond = dev.value().config_read32(4096);
    KEXPECT(beyond.is_error() && beyond.error() == Errno::einval);
    Result<u32> straddling = dev.value().config_read32(4094);
    KEXPECT(straddling.is_error() && straddling.error() == Errno::einval);
    Result<u16> misaligned = dev.value().config_read16(1);
    KEXPECT(misaligned.is_error() && misaligned.error() == Errno::einval);
    Result<u32> id = dev.value().config_read32(0);
    KASSERT(id.ok());
    KEXPECT_EQ(id.value() >> 16, u32{dev.value().identity().device});
}

KTEST(pci, map_bar_of_a_barless_function_is_enxio) {
    if (no_pci()) {
        return;
    }
    Optional<usize> index = host_bridge_index();
    KASSERT(index.has_value());
    Result<PciDevice> dev = pci::claim(*index);
    KASSERT(dev.ok());
    for (u32 i = 0; i < 6; ++i) {
        KEXPECT(dev.value().bar(i).kind == PciBarKind::none);
        Result<IoMem> window = dev.value().map_bar(i, 0, 0x1000);
        KEXPECT(window.is_error() && window.error() == Errno::enxio);
    }
    Result<IoMem> beyond = dev.value().map_bar(6, 0, 0x1000);
    KEXPECT(beyond.is_error() && beyond.error() == Errno::enxio);
    KEXPECT(dev.value().irq_kind() == PciIrqKind::none);
}

} // namespace keel
