// The running process's memory as syscalls reach it: each copy first faults in the pages it
// will touch (demand-zero, copy-on-write) through the process's address space, then copies
// through the framework's checked user copies. Any address the process may not use is EFAULT.
#pragma once

#include <keel/ktl/string.h>
#include <keel/user_ptr.h>

#include "services/vm/address_space.h"

namespace keel::proc {

class UserMemory {
public:
    explicit UserMemory(vm::AddressSpace& mm) : mm_(mm) {}

    Result<void> read(MutableBytes to, uptr from) {
        TRY(mm_.fault_in(from, to.size(), UserAccess::read));
        return user_copy::from_user(to, from);
    }
    Result<void> write(uptr to, Bytes from) {
        TRY(mm_.fault_in(to, from.size(), UserAccess::write));
        return user_copy::to_user(to, from);
    }
    template <typename T>
    Result<T> read_value(uptr from) {
        TRY(mm_.fault_in(from, sizeof(T), UserAccess::read));
        return UserPtr<T>(from).read();
    }
    template <typename T>
    Result<void> write_value(uptr to, const T& value) {
        TRY(mm_.fault_in(to, sizeof(T), UserAccess::write));
        return UserPtr<T>(to).write(value);
    }
    // A NUL-terminated string of at most max bytes without the NUL: ENAMETOOLONG beyond.
    Result<String> read_string(uptr from, usize max);

private:
    vm::AddressSpace& mm_;
};

} // namespace keel::proc
