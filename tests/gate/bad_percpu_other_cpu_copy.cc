// Another CPU's copy of a Vector, written with no pin and no lock (a data race on its storage):
// PerCpu::on and for_each_online are only for an Atomic T.
// expect-rule: constraints not satisfied
namespace keel::gate {
struct Stats : keel::RefCounted<Stats> {
    keel::PerCpu<keel::Vector<int>> seen;
};
keel::Result<void> poke(Stats& s) { return s.seen.on(1).push_back(1); }
} // namespace keel::gate
