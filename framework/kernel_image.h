// The kernel image's sections as every kernel.ld bounds them, with the same symbol names on each
// arch: __text_start/_end, __rodata_start/_end, __data_start/_end (data runs to the image's end,
// bss included). Each page aligned; arch::kernel_layout() hands them on.
#pragma once

#include "arch_contract.h"

namespace keel {

struct ImageSections {
    VirtRange text;
    VirtRange rodata;
    VirtRange data;
};

ImageSections linked_image_sections();

} // namespace keel
