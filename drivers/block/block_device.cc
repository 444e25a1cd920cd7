#include "drivers/block/block_device.h"

#include <keel/global.h>
#include <keel/ktl/vector.h>

namespace keel::drivers {

namespace {
KEEL_GLOBAL(Vector<RefPtr<BlockDevice>>, block_devices);
} // namespace

Result<void> BlockDevice::check_range(u64 sector, usize bytes) const {
    if (bytes == 0 || bytes % sector_size != 0) {
        return Errno::einval;
    }
    u64 count = bytes / sector_size;
    u64 total = sector_count();
    if (sector > total || count > total - sector) {
        return Errno::einval;
    }
    return {};
}

Result<void> register_block_device(RefPtr<BlockDevice> device) {
    return block_devices.with([&](Vector<RefPtr<BlockDevice>>& all) -> Result<void> {
        for (const RefPtr<BlockDevice>& d : all) {
            if (d->name() == device->name()) {
                return Errno::eexist;
            }
        }
        return all.push_back(move(device));
    });
}

usize block_device_count() {
    return block_devices.with([](Vector<RefPtr<BlockDevice>>& all) { return all.size(); });
}

Optional<RefPtr<BlockDevice>> block_device(usize index) {
    return block_devices.with(
        [&](Vector<RefPtr<BlockDevice>>& all) -> Optional<RefPtr<BlockDevice>> {
            if (index >= all.size()) {
                return none;
            }
            return all[index];
        });
}

Optional<RefPtr<BlockDevice>> find_block_device(StringView name) {
    return block_devices.with(
        [name](Vector<RefPtr<BlockDevice>>& all) -> Optional<RefPtr<BlockDevice>> {
            for (const RefPtr<BlockDevice>& d : all) {
                if (d->name() == name) {
                    return d;
                }
            }
            return none;
        });
}

} // namespace keel::drivers
