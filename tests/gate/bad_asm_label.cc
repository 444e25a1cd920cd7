// An asm label binds a harmless-looking declaration to a framework symbol (variant of snippet 14).
// expect-rule: no-asm-label|no-inline-asm
namespace keel::gate {
keel::uptr to_virtual(keel::u64 phys) __asm__("_ZN4keel4arch12phys_to_virtEm");
} // namespace keel::gate
