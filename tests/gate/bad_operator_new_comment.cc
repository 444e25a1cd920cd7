// `operator/**/new`: a comment between the words dodges a lexical rule (snippet 10).
// expect-rule: no-raw-allocation
namespace keel::gate {
void* grab() { return operator/**/new(64); }
} // namespace keel::gate
