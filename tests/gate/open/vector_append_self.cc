// OPEN (see README.md): Vector::append(its own span): grow_for reallocates, then the loop reads the
// freed storage. expect-rule: lifetime
namespace keel::gate {
keel::Result<void> grow(keel::Vector<int>& v) { return v.append(v.span()); }
} // namespace keel::gate
