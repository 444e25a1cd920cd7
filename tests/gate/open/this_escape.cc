// OPEN (see README.md): A pointer to a dead object kept through a member that stores `this`
// (lifetime). expect-rule: lifetime
namespace keel::gate {
struct Node {
    Node* self = this;
    int value = 7;
};
int read_dead() {
    Node* kept = nullptr;
    {
        Node n;
        kept = n.self;
    }
    return kept->value;
}
} // namespace keel::gate
