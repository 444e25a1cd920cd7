// Summing other CPUs' copies while they change them: PerCpu::for_each_online is the framework's.
// expect-rule: no-framework-only
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
