// The host backend of the kernel heap and log, so that services code which allocates (ramfs,
// the initramfs unpacker) and logs runs under GoogleTest with ASan watching every allocation.
#include <cstdio>
#include <cstdlib>

#include <keel/box.h>
#include <keel/log.h>

namespace keel {

namespace detail {

Result<void*> heap_allocate(usize size, usize align) {
    if (size == 0 || (align & (align - 1)) != 0) {
        return Errno::einval;
    }
    align = align < sizeof(void*) ? sizeof(void*) : align;
    usize rounded = (size + align - 1) / align * align; // aligned_alloc wants a multiple
    void* memory = std::aligned_alloc(align, rounded);
    if (memory == nullptr) {
        return Errno::enomem;
    }
    return memory;
}

void heap_release(void* object) { std::free(object); }

} // namespace detail

namespace log {

namespace {
class StderrSink final : public FormatSink {
public:
    void write(StringView text) override {
        std::fwrite(text.chars().data(), 1, text.size(), stderr);
    }
};
StderrSink sink;
} // namespace

bool enabled(Level) { return true; }
void begin_line(Level level) {
    if (level == Level::Error) {
        sink.write("error: ");
    } else if (level == Level::Warning) {
        sink.write("warning: ");
    }
}
FormatSink& line_sink() { return sink; }
void end_line() { sink.write("\n"); }

} // namespace log

} // namespace keel
