// A services file defining keel_main is fine; annotating its own redeclaration to pass the
// exemption to something else is not (attributes are an allowlist).
// expect-rule: no-attributes
namespace keel::gate {
[[clang::annotate("keel::defined_by_services")]] void helper();
} // namespace keel::gate
