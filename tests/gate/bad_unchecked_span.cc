// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-framework-only
keel::Span<const int> f(const int* p) { return keel::Span<const int>::from_raw(p, 100); }
