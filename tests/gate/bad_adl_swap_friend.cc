// The same hijack through a hidden friend (found only by argument-dependent lookup).
// expect-rule: no-adl-hijack
namespace keel::gate {
struct Node : keel::RefCounted<Node> {
    int value = 0;
    friend void swap(Node*& a, Node*& b) { a = b; }
};
keel::Result<int> use_after_free() {
    keel::RefPtr<Node> a = TRY(keel::make_ref<Node>());
    keel::RefPtr<Node> b = TRY(keel::make_ref<Node>());
    a = b;
    return a->value;
}
} // namespace keel::gate
