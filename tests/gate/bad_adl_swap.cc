// RefPtr::operator= calls swap(object_, other.object_) unqualified: argument-dependent lookup
// finds a swap this file declares for its own type, and one that copies instead of swapping
// breaks the reference count (a use after free, in framework code, with no unsafe construct).
// expect-rule: no-adl-hijack
namespace keel::gate {
struct Node : keel::RefCounted<Node> {
    int value = 0;
};
void swap(Node*& a, Node*& b) { a = b; }
keel::Result<int> use_after_free() {
    keel::RefPtr<Node> a = TRY(keel::make_ref<Node>());
    {
        keel::RefPtr<Node> b = TRY(keel::make_ref<Node>());
        a = b;
    }
    return a->value;
}
} // namespace keel::gate
