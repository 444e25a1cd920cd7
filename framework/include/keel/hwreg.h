// Typed device registers with named bit fields, in the manner of Zircon's hwreg: a register is a
// small value type that knows its offset and width; fields are named accessors over bit ranges,
// so drivers read, modify and write one field without shifting and masking by hand. IoMem
// (keel/io_mem.h) moves them to and from the device.
//
//   struct LineStatus : Register<LineStatus, u8, 5> {
//       KEEL_REG_BIT(5, tx_empty);
//   };
//   auto status = TRY(io.read<LineStatus>());
//   if (status.tx_empty()) { ... }
#pragma once

#include <keel/ktl/assert.h>
#include <keel/ktl/utility.h>

namespace keel {

template <typename Self, typename ValueType, usize Offset>
class Register {
public:
    using Value = ValueType;
    static constexpr usize offset = Offset;
    static constexpr u32 bits = sizeof(Value) * 8;

    constexpr Register() = default;
    constexpr explicit Register(Value value) : value_(value) {}
    static constexpr Self from_value(Value value) {
        Self r;
        r.set_value(value);
        return r;
    }

    constexpr Value value() const { return value_; }
    constexpr void set_value(Value value) { value_ = value; }

protected:
    template <u32 High, u32 Low>
    static constexpr Value mask() {
        static_assert(High >= Low && High < bits, "field outside the register");
        return static_cast<Value>(High - Low + 1 == bits ? ~Value{0}
                                                         : ((Value{1} << (High - Low + 1)) - 1));
    }
    template <u32 High, u32 Low>
    constexpr Value field() const {
        return static_cast<Value>((value_ >> Low) & mask<High, Low>());
    }
    template <u32 High, u32 Low>
    constexpr void set_field(Value v) {
        // A value wider than its field is a driver bug, not device input.
        KEEL_ASSERT((v & ~mask<High, Low>()) == 0);
        value_ = static_cast<Value>((value_ & ~(mask<High, Low>() << Low)) | (v << Low));
    }

private:
    Value value_ = 0;
};

} // namespace keel

// A named field of bits [high:low]: name() reads it, set_name(v) writes it.
#define KEEL_REG_FIELD(high, low, name)                                                            \
    constexpr Value name() const { return this->template field<high, low>(); }                     \
    constexpr void set_##name(Value v) { this->template set_field<high, low>(v); }

#define KEEL_REG_BIT(bit, name) KEEL_REG_FIELD(bit, bit, name)
