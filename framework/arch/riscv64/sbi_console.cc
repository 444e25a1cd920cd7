// riscv64: the SBI legacy console, the boot console until the device tree's UART is mapped.
#include "console/console.h"
#include "sbi.h"

#include <keel/ktl/optional.h>

namespace keel::arch::riscv::sbi {

namespace {
class SbiConsole final : public console::Device {
public:
    void put_char(char c) override { call(ext_legacy_putchar, 0, static_cast<u8>(c)); }
    StringView name() const override { return "sbi-console"; }
    // The legacy console has a polled getchar but no interrupt of its own.
    Optional<u8> read_char() override {
        i64 c = call(ext_legacy_getchar, 0).error; // legacy calls return in a0 alone
        return c < 0 ? Optional<u8>() : Optional<u8>(static_cast<u8>(c));
    }
    keel::Result<void> set_receive_interrupt(bool) override { return Errno::enodev; }
};
constinit SbiConsole sbi_console;
} // namespace

console::Device& console() { return sbi_console; }

} // namespace keel::arch::riscv::sbi
