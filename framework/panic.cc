#include <keel/panic.h>

#include <arch/cpu.h>
#include <arch/power.h>

#include "backtrace.h"
#include "console/console.h"

namespace keel {

namespace detail {

namespace {
constinit bool panicking = false;
} // namespace

void panic_begin() {
    arch::disable_interrupts();
    if (panicking) {
        // A panic inside the panic path: stop now rather than recurse.
        console::write("\n*** nested panic; stopping\n");
        arch::power_off(1);
    }
    panicking = true;
    console::write("\n*** KERNEL PANIC: ");
}

FormatSink& panic_sink() { return console::sink(); }

[[noreturn]] void panic_finish() {
    console::write("\n");
    print_backtrace(console::sink());
    console::write("*** end of panic; powering off\n");
    arch::power_off(1);
}

[[noreturn]] void panic_finish_from(uptr frame_pointer) {
    console::write("\n");
    print_backtrace_from(console::sink(), frame_pointer);
    console::write("*** end of panic; powering off\n");
    arch::power_off(1);
}

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line) {
    panic("assertion failed: {} at {}:{}", StringView::from_c_string(expr),
          StringView::from_c_string(file), line);
}

[[noreturn]] void bounds_failed(usize index, usize size, const char* file, int line) {
    panic("index {} out of bounds (size {}) at {}:{}", index, size, StringView::from_c_string(file),
          line);
}

} // namespace detail

} // namespace keel
