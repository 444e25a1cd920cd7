// The kernel's random numbers (getrandom, AT_RANDOM, address-space layout): a ChaCha20 generator
// seeded at boot from what the machine offers (the device tree's rng-seed, the CPU's random
// instruction where there is one, and timing jitter), later mixed with what entropy devices give
// (virtio-rng: add_entropy), with its key replaced after every request so earlier output cannot
// be recovered from a later state.
#pragma once

#include <keel/ktl/span.h>

namespace keel::random {

void fill(Span<u8> out);
u64 next_u64();
// Mixes bytes from an entropy source (a hardware RNG such as virtio-rng) into the generator's
// key. Bytes of any quality are safe to add: they can only add unpredictability.
void add_entropy(Span<const u8> bytes);
// Bytes add_entropy has mixed in since boot (the boot log and the rng ktest say where from).
u64 entropy_added();

} // namespace keel::random
