#include "kernel_image.h"

extern "C" const char __text_start[];
extern "C" const char __text_end[];
extern "C" const char __rodata_start[];
extern "C" const char __rodata_end[];
extern "C" const char __data_start[];
extern "C" const char __data_end[];

namespace keel {

namespace {
VirtRange range(const char* start, const char* end) {
    // SAFETY: only the symbols' addresses are taken; nothing is read through them.
    return {reinterpret_cast<uptr>(start), reinterpret_cast<uptr>(end)};
}
} // namespace

ImageSections linked_image_sections() {
    return {range(__text_start, __text_end), range(__rodata_start, __rodata_end),
            range(__data_start, __data_end)};
}

} // namespace keel
