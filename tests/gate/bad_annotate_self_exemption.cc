// Claiming the framework's exemption for keel_main on a redeclaration of an internal function.
// expect-rule: no-attributes|no-foreign-namespace
namespace keel::arch {
[[clang::annotate("keel::defined_by_services")]] uptr phys_to_virt(u64 phys);
} // namespace keel::arch
