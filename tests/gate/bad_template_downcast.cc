// A downcast to the wrong derived type inside a template (dependent in the pattern).
// expect-rule: no-downcast
namespace keel::gate {
struct Base {
    virtual ~Base() = default;
};
struct Holder : Base {
    u64* pointer = nullptr;
};
struct Number : Base {
    u64 value = 0;
};
template <typename To, typename From> To& down(From& b) { return static_cast<To&>(b); }
u64 forge(u64 address) {
    Number n;
    n.value = address;
    Base& b = n;
    return *down<Holder>(b).pointer;
}
} // namespace keel::gate
