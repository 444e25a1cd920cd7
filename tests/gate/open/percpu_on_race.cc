// OPEN (see README.md): another CPU's copy of a Vector, written with no pin and no lock.
// expect-rule: no-escaping-reference
namespace keel::gate {
struct Stats : keel::RefCounted<Stats> {
    keel::PerCpu<keel::Vector<int>> seen;
};
keel::Result<void> poke(Stats& s) { return s.seen.on(1).push_back(1); }
} // namespace keel::gate
