// Unpacks the bootloader's initrd (cpio newc, possibly several archives back to back) into the
// root filesystem, as Linux's populate_rootfs does: directories, regular files, symlinks and
// device nodes; a later entry for an existing file replaces it. A damaged archive stops the
// unpacking with one log line that says where; what came before it stays.
#pragma once

#include "services/fs/ramfs.h"

namespace keel::initramfs {

struct UnpackReport {
    usize entries = 0; // entries created or replaced
    usize skipped = 0; // entries refused one by one (no parent, unsupported type)
};

// EINVAL for a damaged archive (after unpacking what preceded the damage), ENOMEM.
Result<UnpackReport> unpack(Bytes archive, fs::Ramfs& root);

} // namespace keel::initramfs
