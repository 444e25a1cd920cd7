// riscv64: the SBI legacy console, the boot console until the device tree's UART is mapped.
#include "console/console.h"
#include "sbi.h"

namespace keel::arch::riscv::sbi {

namespace {
class SbiConsole final : public console::Device {
public:
    void put_char(char c) override { call(ext_legacy_putchar, 0, static_cast<u8>(c)); }
    StringView name() const override { return "sbi-console"; }
};
constinit SbiConsole sbi_console;
} // namespace

console::Device& console() { return sbi_console; }

} // namespace keel::arch::riscv::sbi
