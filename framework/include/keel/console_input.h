// What is typed at the console, delivered by the UART's receive interrupt into a buffer that
// services read (the tty layer will sit on this).
#pragma once

#include <keel/ktl/result.h>
#include <keel/ktl/span.h>

namespace keel::console_input {

// Whether the console's receive interrupt is wired (the boot log says why not otherwise).
bool available();

// Copies what has arrived (up to out.size() bytes); 0 when nothing has.
usize read(Span<u8> out);

// Waits until at least one byte arrived or timeout_ns passed (EAGAIN); then as read().
Result<usize> read_wait(Span<u8> out, u64 timeout_ns);

// Bytes dropped because the buffer was full.
u64 overruns();

} // namespace keel::console_input
