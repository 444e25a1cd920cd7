// A fixed ring of bytes: what an interrupt handler receives before a reader takes it. It never
// allocates (an interrupt handler must not) and has no lock of its own (its holder locks).
#pragma once

#include <keel/ktl/array.h>
#include <keel/ktl/span.h>
#include <keel/ktl/utility.h>

namespace keel {

template <usize N>
class ByteRing {
    static_assert(N > 0);

public:
    static constexpr usize capacity = N;

    // False when full: the byte is dropped (the caller counts an overrun).
    bool push(u8 byte) {
        if (size_ == N) {
            return false;
        }
        bytes_[(head_ + size_) % N] = byte;
        ++size_;
        return true;
    }

    // Moves the oldest bytes into out, as many as fit; how many.
    usize pop(Span<u8> out) {
        usize n = min(out.size(), size_);
        for (usize i = 0; i < n; ++i) {
            out[i] = bytes_[(head_ + i) % N];
        }
        head_ = (head_ + n) % N;
        size_ -= n;
        return n;
    }

    usize size() const { return size_; }
    bool empty() const { return size_ == 0; }

private:
    Array<u8, N> bytes_{};
    usize head_ = 0; // the oldest byte
    usize size_ = 0;
};

} // namespace keel
