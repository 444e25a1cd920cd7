// The same pun with the void* made implicitly from a typed pointer.
// expect-rule: no-void-pointer-cast
namespace keel::gate {
u64 pun(u32& word) {
    void* erased = &word;
    return *static_cast<u64*>(erased);
}
} // namespace keel::gate
