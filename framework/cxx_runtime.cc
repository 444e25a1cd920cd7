// The little the C++ ABI asks of a freestanding kernel.
#include <keel/panic.h>

extern "C" {

// A pure virtual function called through a partly built or destroyed object: a kernel bug.
[[noreturn]] void __cxa_pure_virtual() { keel::panic("pure virtual function called"); }

// Static destructors never run in a kernel; registering one is accepted and ignored.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle = nullptr;

} // extern "C"

// A class with a virtual destructor makes the compiler emit a deleting destructor that calls
// operator delete. Kernel objects are destroyed by Box and RefPtr (keel/box.h), which never
// reach it; there is deliberately no operator new, so `new T` does not link.
void operator delete(void*) noexcept { keel::panic("operator delete called: use Box or RefPtr"); }
void operator delete(void*, keel::usize) noexcept {
    keel::panic("operator delete called: use Box or RefPtr");
}
