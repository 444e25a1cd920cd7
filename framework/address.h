// A pointer's value as a number, for the framework's bookkeeping of addresses: ranges and
// bounds checks, symbol lookup, physical addresses of image symbols, words handed to assembly
// or firmware. One helper, so that the many places that only need the number share one
// justification instead of each carrying a cast.
#pragma once

#include <keel/ktl/types.h>

namespace keel {

// Nothing is read, written or called through the result here. Code that turns the number back
// into an access (a cast to a pointer, a page-table entry, a register an instruction jumps
// through, an address given to firmware) says in its own SAFETY comment why that is sound.
template <typename T>
inline uptr address_of(T* p) {
    // SAFETY: pointer to integer only, which has no effect on memory: uptr holds every object
    // and function pointer on the three 64-bit arches and the host, and the value is a number.
    return reinterpret_cast<uptr>(p);
}

} // namespace keel
