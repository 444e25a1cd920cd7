// Re-declaring a framework-internal function to call it (snippet 14).
// expect-rule: no-foreign-namespace
namespace keel::arch {
uptr phys_to_virt(u64 phys);
} // namespace keel::arch
