// Vector::push_back moves its argument with an unqualified move(): ADL finds this file's.
// expect-rule: no-adl-hijack
namespace keel::gate {
struct Item {
    int v = 0;
};
Item& move(Item& i) { return i; }
keel::Result<void> add(keel::Vector<Item>& all) { return all.push_back(Item{}); }
} // namespace keel::gate
