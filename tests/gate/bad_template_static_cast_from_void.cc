// static_cast from void* inside a template: the pattern's cast is dependent, and the
// instantiation (where it is a bit cast) is never visited.
// expect-rule: no-void-pointer-cast
namespace keel::gate {
template <typename T> T* as(void* p) { return static_cast<T*>(p); }
u64 pun(u64& address) {
    void* v = &address;
    return **as<u64*>(v);
}
} // namespace keel::gate
