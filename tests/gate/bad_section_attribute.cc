// Data placed in a code section becomes code (snippet 15).
// expect-rule: no-attributes
namespace keel::gate {
[[gnu::section(".text.keel")]] const u8 payload[4] = {0x90, 0x90, 0x90, 0xc3};
} // namespace keel::gate
