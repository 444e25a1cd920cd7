#include <keel/ktl/result.h>

namespace keel {

StringView errno_name(Errno e) {
    switch (e) {
    case Errno::eperm:
        return "EPERM";
    case Errno::enoent:
        return "ENOENT";
    case Errno::eio:
        return "EIO";
    case Errno::e2big:
        return "E2BIG";
    case Errno::enoexec:
        return "ENOEXEC";
    case Errno::ebadf:
        return "EBADF";
    case Errno::eagain:
        return "EAGAIN";
    case Errno::enomem:
        return "ENOMEM";
    case Errno::efault:
        return "EFAULT";
    case Errno::ebusy:
        return "EBUSY";
    case Errno::eexist:
        return "EEXIST";
    case Errno::enodev:
        return "ENODEV";
    case Errno::einval:
        return "EINVAL";
    case Errno::enospc:
        return "ENOSPC";
    case Errno::erange:
        return "ERANGE";
    case Errno::enametoolong:
        return "ENAMETOOLONG";
    case Errno::enosys:
        return "ENOSYS";
    case Errno::eoverflow:
        return "EOVERFLOW";
    }
    return "E?";
}

} // namespace keel
