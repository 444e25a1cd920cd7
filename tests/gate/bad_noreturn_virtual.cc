// [[noreturn]] on a virtual function whose override returns: the caller's code after the call
// is assumed unreachable, so a bounds check guarded by it is optimized away.
// expect-rule: no-noreturn-virtual
namespace keel::gate {
struct Liar {
    [[noreturn]] virtual void stop();
    virtual ~Liar() = default;
};
struct Returns : Liar {
    void stop() override {}
};
int read(keel::Span<const int> s, keel::usize i, Liar& l) {
    if (i >= s.size()) {
        l.stop();
    }
    return s[i];
}
} // namespace keel::gate
