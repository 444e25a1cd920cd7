// brk, mmap, munmap, mprotect: private anonymous memory (and private copies of files).
#include "services/proc/system.h"
#include "services/syscall/handlers.h"

namespace keel::syscall {

namespace {

constexpr u64 prot_read = 1;
constexpr u64 prot_write = 2;
constexpr u64 prot_exec = 4;
constexpr u64 map_shared = 0x01;
constexpr u64 map_private = 0x02;
constexpr u64 map_type = 0x0f;
constexpr u64 map_fixed = 0x10;
constexpr u64 map_anonymous = 0x20;
constexpr u64 map_fixed_noreplace = 0x100000;
// Flags that change nothing here: MAP_GROWSDOWN, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED,
// MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_HUGETLB.
constexpr u64 map_ignored =
    0x100 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x40000;

Result<Perms> perms_of(u64 prot) {
    if ((prot & ~(prot_read | prot_write | prot_exec)) != 0) {
        return Errno::einval;
    }
    Perms p = Perms::none;
    p = (prot & prot_read) != 0 ? p | Perms::read : p;
    p = (prot & prot_write) != 0 ? p | Perms::write : p;
    p = (prot & prot_exec) != 0 ? p | Perms::exec : p;
    return p;
}

} // namespace

Result<u64> sys_brk(proc::Process& p, const Args& a) {
    vm::AddressSpace& m = p.mm();
    uptr wanted = a[0];
    // Linux answers every failure with the current break.
    if (wanted < m.brk_start) {
        return m.brk_end;
    }
    Result<uptr> new_top = vm::page_ceil(wanted);
    uptr old_top = vm::page_floor(m.brk_end + page_size - 1);
    if (new_top.is_error()) {
        return m.brk_end;
    }
    if (new_top.value() > old_top) {
        usize grow = new_top.value() - old_top;
        if (!m.is_free(old_top, grow + page_size) ||
            m.add_area(old_top, grow, Perms::read_write).is_error()) {
            return m.brk_end; // would run into another mapping (Linux keeps a guard page)
        }
    } else if (new_top.value() < old_top) {
        if (m.unmap(new_top.value(), old_top - new_top.value()).is_error()) {
            return m.brk_end;
        }
    }
    m.brk_end = wanted;
    return m.brk_end;
}

Result<u64> sys_mmap(proc::Process& p, const Args& a) {
    uptr hint = a[0];
    u64 length = a[1];
    u64 flags = a[3];
    i32 fd = a.int_at(4);
    u64 offset = a[5];
    Perms perms = TRY(perms_of(a[2]));
    u64 type = flags & map_type;
    if (length == 0 || (type != map_private && type != map_shared) ||
        (offset & (page_size - 1)) != 0) {
        return Errno::einval;
    }
    if ((flags & ~(map_type | map_fixed | map_anonymous | map_fixed_noreplace | map_ignored)) !=
        0) {
        return Errno::einval;
    }
    if (type == map_shared) {
        return Errno::enodev; // shared memory comes with the page cache
    }
    Optional<RefPtr<fs::File>> file;
    if ((flags & map_anonymous) == 0) {
        file = TRY(p.files.get(fd));
    }
    uptr size = TRY(vm::page_ceil(length));
    if (size == 0 || size > VmSpace::user_end()) {
        return Errno::enomem;
    }
    vm::AddressSpace& m = p.mm();
    uptr at = 0;
    if ((flags & (map_fixed | map_fixed_noreplace)) != 0) {
        if ((hint & (page_size - 1)) != 0) {
            return Errno::einval;
        }
        uptr end = 0;
        if (hint < page_size || __builtin_add_overflow(hint, size, &end) ||
            end > VmSpace::user_end()) {
            return Errno::enomem;
        }
        if ((flags & map_fixed) == 0 && !m.is_free(hint, size)) {
            return Errno::eexist;
        }
        TRY(m.unmap(hint, size));
        at = hint;
    } else if (hint != 0 && m.is_free(vm::page_floor(hint), size)) {
        at = vm::page_floor(hint);
    } else {
        at = TRY(m.find_free(size, m.mmap_base));
    }
    TRY(m.add_area(at, size, perms));
    if (file) {
        // A private copy of the file's bytes, read now (there are no file-backed pages yet).
        Vector<u8> bytes;
        TRY(bytes.resize(min<usize>(length, 64 * 1024)));
        // Read at offset without moving the descriptor's own offset.
        u64 was = TRY((*file)->seek(0, fs::Whence::current));
        TRY((*file)->seek(static_cast<i64>(offset), fs::Whence::set));
        for (usize done = 0; done < length;) {
            usize got =
                TRY((*file)->read(bytes.span().first(min<usize>(bytes.size(), length - done))));
            if (got == 0) {
                break;
            }
            TRY(m.populate(at + done, Bytes(bytes.span()).first(got)));
            done += got;
        }
        (void)(*file)->seek(static_cast<i64>(was), fs::Whence::set);
    }
    return at;
}

Result<u64> sys_munmap(proc::Process& p, const Args& a) {
    if ((a[0] & (page_size - 1)) != 0 || a[1] == 0) {
        return Errno::einval;
    }
    TRY(p.mm().unmap(a[0], a[1]));
    return u64{0};
}

Result<u64> sys_mprotect(proc::Process& p, const Args& a) {
    if ((a[0] & (page_size - 1)) != 0) {
        return Errno::einval;
    }
    Perms perms = TRY(perms_of(a[2] & ~u64{0x03000000})); // PROT_GROWSDOWN/GROWSUP: ignored
    TRY(p.mm().protect(a[0], a[1], perms));
    return u64{0};
}

Result<u64> sys_madvise(proc::Process& p, const Args& a) {
    if ((a[0] & (page_size - 1)) != 0) {
        return Errno::einval;
    }
    constexpr u64 madv_dontneed = 4;
    if (a[2] == madv_dontneed && a[1] != 0) {
        // The pages go; the area stays, so the next touch finds zeroed ones (private memory).
        uptr size = TRY(vm::page_ceil(a[1]));
        uptr end = 0;
        if (__builtin_add_overflow(a[0], size, &end) || end > VmSpace::user_end()) {
            return Errno::einval;
        }
        TRY(p.mm().vm().unmap(a[0], size));
    }
    return u64{0}; // other advice may be ignored
}

} // namespace keel::syscall
