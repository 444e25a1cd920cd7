// A services file within the safe subset: the gate must accept it (so a gate that rejects
// everything cannot pass its own test).
namespace {
constexpr keel::Array<int, 4> table{1, 2, 3, 4};
} // namespace

int sum_of_table() {
    int sum = 0;
    for (int v : table) {
        sum += v;
    }
    return sum + table[2];
}

keel::Result<int> checked_divide(int a, int b) {
    if (b == 0) {
        return keel::Errno::einval;
    }
    return a / b;
}
