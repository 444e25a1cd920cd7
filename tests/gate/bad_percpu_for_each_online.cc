// Summing plain u64 copies while their CPUs change them: for_each_online wants an Atomic T.
// expect-rule: constraints not satisfied
namespace keel::gate {
struct Stats : keel::RefCounted<Stats> {
    keel::PerCpu<u64> hits;
};
u64 total(Stats& s) {
    u64 sum = 0;
    s.hits.for_each_online([&sum](u32, const u64& n) { sum += n; });
    return sum;
}
} // namespace keel::gate
