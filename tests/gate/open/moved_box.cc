// OPEN (see README.md): A moved-from Box dereferenced: a null pointer, unchecked.
// expect-rule: use-after-move
namespace keel::gate {
struct Big {
    keel::Array<keel::u8, 4096> bytes;
};
keel::Result<keel::u8> read_null() {
    keel::Box<Big> a = TRY(keel::make_box<Big>());
    keel::Box<Big> b = keel::move(a);
    return a->bytes[4000];
}
} // namespace keel::gate
