// The kernel log's memory: the last lines printed, numbered in order from 0, in a fixed byte
// ring (Linux's printk buffer, much simplified). Consoles that come up after the boot has logged
// (virtio-console) replay it from line 0; later, dmesg reads it. Not locked: the log holds its
// lock around every call. Portable, host-tested.
#pragma once

#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>
#include <keel/log.h>

namespace keel::log {

class LogRing {
public:
    // A line longer than this is cut (its end lost), so that one line never evicts the ring.
    static constexpr usize max_line = 1024;

    constexpr explicit LogRing(Span<u8> storage) : storage_(storage) {}
    LogRing(const LogRing&) = delete;
    LogRing& operator=(const LogRing&) = delete;

    // Keeps text (without its newline) as the next line, dropping the oldest lines for room.
    void append(StringView text);

    // Copies whole lines from line number `from` on into out, as many as fit ('\n' after each);
    // a line too long for out even alone is copied cut to out's size, so every read moves on.
    LinesRead read(u64 from, Span<u8> out) const;

    u64 first_line() const { return first_; }
    u64 next_line() const { return next_; }

private:
    static constexpr usize length_bytes = 2;

    u8 byte_at(usize offset) const { return storage_[(head_ + offset) % storage_.size()]; }
    usize line_length_at(usize offset) const;
    void drop_oldest();

    Span<u8> storage_;
    usize head_ = 0; // where the oldest line's length starts
    usize used_ = 0; // bytes from head_ holding lines
    u64 first_ = 0;  // the oldest line's number
    u64 next_ = 0;   // the number the next line gets
};

} // namespace keel::log
