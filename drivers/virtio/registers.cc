#include "drivers/virtio/registers.h"

namespace keel::drivers::virtio::registers {

namespace {
Result<void> check_config(usize size, usize offset, usize width) {
    if ((width != 1 && width != 2 && width != 4) || offset % width != 0 || offset > size ||
        width > size - offset) {
        return Errno::einval;
    }
    return {};
}
} // namespace

Result<u64> read_features(const IoMem& window, usize select, usize value) {
    TRY(window.write32(select, 0));
    u64 low = TRY(window.read32(value));
    TRY(window.write32(select, 1));
    u64 high = TRY(window.read32(value));
    return low | (high << 32);
}

Result<void> write_features(const IoMem& window, usize select, usize value, u64 features) {
    TRY(window.write32(select, 0));
    TRY(window.write32(value, static_cast<u32>(features)));
    TRY(window.write32(select, 1));
    return window.write32(value, static_cast<u32>(features >> 32));
}

Result<void> write_halves(const IoMem& window, usize low, usize high, u64 value) {
    TRY(window.write32(low, static_cast<u32>(value)));
    return window.write32(high, static_cast<u32>(value >> 32));
}

Result<u32> read_config(const IoMem& window, usize base, usize size, usize offset, usize width) {
    TRY(check_config(size, offset, width));
    if (width == 1) {
        return u32{TRY(window.read8(base + offset))};
    }
    if (width == 2) {
        return u32{TRY(window.read16(base + offset))};
    }
    return window.read32(base + offset);
}

Result<void> write_config(const IoMem& window, usize base, usize size, usize offset, usize width,
                          u32 value) {
    TRY(check_config(size, offset, width));
    if (width == 1) {
        return window.write8(base + offset, static_cast<u8>(value));
    }
    if (width == 2) {
        return window.write16(base + offset, static_cast<u16>(value));
    }
    return window.write32(base + offset, value);
}

} // namespace keel::drivers::virtio::registers
