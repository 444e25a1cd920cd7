// The framework's unsynchronized access to other CPUs' copies, from safe code.
// expect-rule: no-framework-only
namespace keel::gate {
struct Stats : keel::RefCounted<Stats> {
    keel::PerCpu<keel::Vector<int>> seen;
};
keel::Result<void> poke(Stats& s) { return s.seen.on_unsynchronized(1).push_back(1); }
} // namespace keel::gate
