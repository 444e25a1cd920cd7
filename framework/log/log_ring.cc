#include "log/log_ring.h"

#include <keel/ktl/utility.h>

namespace keel::log {

// Each line is kept as a little-endian u16 length, then its bytes; either may wrap around the
// end of the storage.
usize LogRing::line_length_at(usize offset) const {
    return usize{byte_at(offset)} | usize{byte_at(offset + 1)} << 8;
}

void LogRing::drop_oldest() {
    usize size = length_bytes + line_length_at(0);
    head_ = (head_ + size) % storage_.size();
    used_ -= size;
    ++first_;
}

void LogRing::append(StringView text) {
    usize length = min(text.size(), max_line);
    usize size = length_bytes + length;
    if (size > storage_.size()) {
        return; // a ring too small to hold any line keeps none
    }
    while (storage_.size() - used_ < size) {
        drop_oldest();
    }
    usize at = head_ + used_;
    storage_[at % storage_.size()] = static_cast<u8>(length & 0xff);
    storage_[(at + 1) % storage_.size()] = static_cast<u8>(length >> 8);
    for (usize i = 0; i < length; ++i) {
        storage_[(at + length_bytes + i) % storage_.size()] = static_cast<u8>(text[i]);
    }
    used_ += size;
    ++next_;
}

LinesRead LogRing::read(u64 from, Span<u8> out) const {
    LinesRead result;
    if (from < first_) {
        result.lost = first_ - from;
        from = first_;
    }
    from = min(from, next_);
    // Walk to line `from`: the ring holds a few thousand lines at most.
    usize offset = 0;
    for (u64 line = first_; line < from; ++line) {
        offset += length_bytes + line_length_at(offset);
    }
    u64 line = from;
    while (line < next_) {
        usize length = line_length_at(offset);
        usize want = length + 1;
        if (want > out.size() - result.bytes) {
            if (result.bytes != 0 || out.empty()) {
                break; // the next read starts with it
            }
            length = out.size() - 1; // too long for out: its end is lost
            want = out.size();
        }
        for (usize i = 0; i < length; ++i) {
            out[result.bytes + i] = byte_at(offset + length_bytes + i);
        }
        out[result.bytes + length] = '\n';
        result.bytes += want;
        offset += length_bytes + line_length_at(offset);
        ++line;
    }
    result.next = line;
    return result;
}

} // namespace keel::log
