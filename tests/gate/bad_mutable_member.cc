// A services file breaking one safe-subset rule; the gate must reject it.
// expect-rule: no-mutable-members
struct Counter {
    mutable int hits = 0;
    int bump() const { return ++hits; }
};
