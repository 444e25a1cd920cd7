// A PhysReader over a host buffer placed at a chosen physical base address.
#pragma once

#include <cstring>
#include <vector>

#include "boot/phys_reader.h"

namespace keel::test {

class FakePhys final : public boot::PhysReader {
public:
    FakePhys(u64 base, usize size) : base_(base), bytes_(size, 0) {}

    Optional<Bytes> read(u64 phys, usize size) const override {
        if (phys < base_ || phys - base_ > bytes_.size() || bytes_.size() - (phys - base_) < size) {
            return none;
        }
        return Bytes::from_raw(bytes_.data() + (phys - base_), size);
    }

    template <typename T>
    void put(u64 phys, T value) {
        std::memcpy(bytes_.data() + (phys - base_), &value, sizeof(T));
    }
    void put_string(u64 phys, const char* s) {
        std::memcpy(bytes_.data() + (phys - base_), s, std::strlen(s) + 1);
    }

private:
    u64 base_;
    std::vector<u8> bytes_;
};

} // namespace keel::test
