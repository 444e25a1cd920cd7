// UserPtr<bool>::read turns any user byte into a bool: a bool that is neither 0 nor 1 is
// undefined behaviour, and the optimizer drops the bounds check of `table[flag]` (it "knows"
// the index is below 2), so a user byte of 0xff reads table[255].
// expect-rule: no-pointers-from-user
namespace keel::gate {
keel::Result<keel::u64> lookup(keel::uptr user) {
    constexpr keel::Array<keel::u64, 2> table{1, 2};
    bool flag = TRY(keel::UserPtr<bool>(user).read());
    return table[static_cast<keel::usize>(flag)];
}
} // namespace keel::gate
