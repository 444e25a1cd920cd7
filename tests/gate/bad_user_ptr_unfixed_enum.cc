// An enum without a fixed underlying type read from user bytes: values outside its range are
// undefined behaviour (the compiler may narrow switch and bounds checks on it).
// expect-rule: no-pointers-from-user
namespace keel::gate {
enum Colour { red, green };
struct Request {
    Colour colour;
    keel::u32 size;
};
keel::Result<keel::u32> size_of(keel::uptr user) {
    Request r = TRY(keel::UserPtr<Request>(user).read());
    return r.size + static_cast<keel::u32>(r.colour);
}
} // namespace keel::gate
