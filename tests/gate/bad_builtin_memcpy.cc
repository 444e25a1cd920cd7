// Moving a number's bytes into a pointer with a byte-copy builtin (snippet 2).
// expect-rule: no-builtins
namespace keel::gate {
u64 peek(u64 address) {
    const u64* p = nullptr;
    __builtin_memcpy(&p, &address, 8);
    return *p;
}
} // namespace keel::gate
