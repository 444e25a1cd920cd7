#pragma once

namespace keel::timer {

// The arch's timer interrupt entry calls this: it runs expired callbacks and re-arms the
// hardware for the next deadline.
void handle_interrupt();

} // namespace keel::timer
