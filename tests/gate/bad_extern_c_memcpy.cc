// Declaring a C function oneself to link against framework internals (snippet 13).
// expect-rule: no-extern
namespace keel::gate {
extern "C" void* memcpy(void* to, const void* from, usize n);
} // namespace keel::gate
