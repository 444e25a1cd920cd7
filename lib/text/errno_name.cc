// The names of the Errno values (EPERM...), for logs and test messages. Checked code (lib/).
#include <keel/ktl/result.h>

namespace keel::lib {

StringView errno_name(Errno e) {
    switch (e) {
    case Errno::eperm:
        return "EPERM";
    case Errno::enoent:
        return "ENOENT";
    case Errno::esrch:
        return "ESRCH";
    case Errno::eintr:
        return "EINTR";
    case Errno::eio:
        return "EIO";
    case Errno::enxio:
        return "ENXIO";
    case Errno::e2big:
        return "E2BIG";
    case Errno::enoexec:
        return "ENOEXEC";
    case Errno::ebadf:
        return "EBADF";
    case Errno::echild:
        return "ECHILD";
    case Errno::eagain:
        return "EAGAIN";
    case Errno::enomem:
        return "ENOMEM";
    case Errno::eacces:
        return "EACCES";
    case Errno::efault:
        return "EFAULT";
    case Errno::ebusy:
        return "EBUSY";
    case Errno::eexist:
        return "EEXIST";
    case Errno::enodev:
        return "ENODEV";
    case Errno::enotdir:
        return "ENOTDIR";
    case Errno::eisdir:
        return "EISDIR";
    case Errno::einval:
        return "EINVAL";
    case Errno::emfile:
        return "EMFILE";
    case Errno::enotty:
        return "ENOTTY";
    case Errno::efbig:
        return "EFBIG";
    case Errno::enospc:
        return "ENOSPC";
    case Errno::espipe:
        return "ESPIPE";
    case Errno::erofs:
        return "EROFS";
    case Errno::emlink:
        return "EMLINK";
    case Errno::epipe:
        return "EPIPE";
    case Errno::erange:
        return "ERANGE";
    case Errno::enametoolong:
        return "ENAMETOOLONG";
    case Errno::enosys:
        return "ENOSYS";
    case Errno::enotempty:
        return "ENOTEMPTY";
    case Errno::eloop:
        return "ELOOP";
    case Errno::eoverflow:
        return "EOVERFLOW";
    case Errno::eopnotsupp:
        return "EOPNOTSUPP";
    case Errno::etimedout:
        return "ETIMEDOUT";
    }
    return "E?";
}

} // namespace keel::lib
