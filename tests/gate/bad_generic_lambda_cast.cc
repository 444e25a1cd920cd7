// static_cast from void* inside a generic lambda (a template call operator).
// expect-rule: no-void-pointer-cast
namespace keel::gate {
u64 pun(u64& address) {
    void* v = &address;
    auto as = [](auto* p) { return static_cast<u64**>(p); };
    return **as(v);
}
} // namespace keel::gate
