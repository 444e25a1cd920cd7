#include "services/vm/address_space.h"

namespace keel::vm {

namespace {

// What a page of an area is mapped with: the MMUs need read with anything, and PROT_NONE pages
// are never mapped.
Perms page_perms(Perms area) { return area == Perms::none ? Perms::none : area | Perms::read; }

Perms without_write(Perms p) {
    return static_cast<Perms>(static_cast<u8>(p) & ~static_cast<u8>(Perms::write));
}

bool allows(Perms area, UserAccess access) {
    switch (access) {
    case UserAccess::read:
        return area != Perms::none; // write-only and exec-only imply read on these MMUs
    case UserAccess::write:
        return has(area, Perms::write);
    case UserAccess::execute:
        return has(area, Perms::exec);
    }
    return false;
}

} // namespace

Result<uptr> page_ceil(uptr address) {
    uptr up = 0;
    if (__builtin_add_overflow(address, uptr{page_size - 1}, &up)) {
        return Errno::einval;
    }
    return page_floor(up);
}

Result<Box<AddressSpace>> AddressSpace::create() {
    Box<VmSpace> space = TRY(VmSpace::create());
    return make_box<AddressSpace>(move(space));
}

Optional<usize> AddressSpace::area_index(uptr address) const {
    // Binary search over the sorted areas.
    usize low = 0;
    usize high = areas_.size();
    while (low < high) {
        usize mid = low + (high - low) / 2;
        const Area& a = areas_[mid];
        if (address < a.start) {
            high = mid;
        } else if (address >= a.end) {
            low = mid + 1;
        } else {
            return mid;
        }
    }
    return none;
}

bool AddressSpace::is_free(uptr start, usize size) const {
    uptr end = 0;
    if (__builtin_add_overflow(start, size, &end) || start < page_size ||
        end > VmSpace::user_end()) {
        return false;
    }
    for (const Area& a : areas_) {
        if (a.start < end && start < a.end) {
            return false;
        }
    }
    return true;
}

Result<void> AddressSpace::add_area(uptr start, usize size, Perms perms) {
    if (size == 0 || !is_page_aligned(start) || !is_page_aligned(size)) {
        return Errno::einval;
    }
    if (!is_free(start, size)) {
        return Errno::eexist;
    }
    usize at = 0;
    while (at < areas_.size() && areas_[at].start < start) {
        ++at;
    }
    return areas_.insert(at, Area{start, start + size, perms});
}

Result<uptr> AddressSpace::find_free(usize size, uptr below) const {
    if (size == 0 || !is_page_aligned(size)) {
        return Errno::einval;
    }
    uptr top = page_floor(min(below, VmSpace::user_end()));
    // Walk the areas from the highest down, trying the gap above each.
    for (usize i = areas_.size(); i-- > 0;) {
        const Area& a = areas_[i];
        if (a.start >= top) {
            continue;
        }
        if (a.end <= top && top - a.end >= size) {
            return top - size;
        }
        top = min(top, a.start);
    }
    if (top >= page_size + size) {
        return top - size;
    }
    return Errno::enomem;
}

Result<void> AddressSpace::split_at(uptr address) {
    Optional<usize> index = area_index(address);
    if (!index || areas_[*index].start == address) {
        return {};
    }
    Area upper = areas_[*index];
    upper.start = address;
    TRY(areas_.insert(*index + 1, upper));
    areas_[*index].end = address;
    return {};
}

Result<void> AddressSpace::unmap(uptr start, usize size) {
    uptr end = 0;
    if (!is_page_aligned(start) || size == 0 || __builtin_add_overflow(start, size, &end)) {
        return Errno::einval;
    }
    end = TRY(page_ceil(end));
    if (start < page_size || end > VmSpace::user_end()) {
        return Errno::einval;
    }
    TRY(split_at(start));
    TRY(split_at(end));
    for (usize i = 0; i < areas_.size();) {
        if (areas_[i].start >= start && areas_[i].end <= end) {
            areas_.remove(i);
        } else {
            ++i;
        }
    }
    return space_->unmap(start, end - start);
}

Result<void> AddressSpace::protect(uptr start, usize size, Perms perms) {
    uptr end = 0;
    if (!is_page_aligned(start) || __builtin_add_overflow(start, size, &end)) {
        return Errno::einval;
    }
    end = TRY(page_ceil(end));
    if (end == start) {
        return {};
    }
    // Every page must lie in an area (Linux: ENOMEM), checked before anything changes.
    for (uptr at = start; at < end;) {
        Optional<usize> index = area_index(at);
        if (!index) {
            return Errno::enomem;
        }
        at = areas_[*index].end;
    }
    TRY(split_at(start));
    TRY(split_at(end));
    for (Area& a : areas_) {
        if (a.start >= start && a.end <= end) {
            a.perms = perms;
        }
    }
    if (perms == Perms::none) {
        return space_->unmap(start, end - start);
    }
    // Mapped pages take the new permissions, except that a shared (copy-on-write) page stays
    // read-only until it is written.
    Perms mapped = page_perms(perms);
    VmSpace::Cursor cursor = space_->cursor(start, end - start);
    while (Optional<VmMapping> m = cursor.next()) {
        for (uptr page = m->va; page < m->va + m->size; page += page_size) {
            Optional<Frame> frame = space_->frame_at(page);
            bool shared = frame && frame->ref_count() > 2;
            TRY(space_->protect(page, page_size, shared ? without_write(mapped) : mapped));
        }
    }
    return {};
}

Result<void> AddressSpace::map_fresh_page(uptr page, Perms perms) {
    Frame frame = TRY(Frame::allocate());
    return space_->map(page, frame, perms);
}

Result<void> AddressSpace::break_cow(uptr page, Perms perms) {
    Optional<Frame> old = space_->frame_at(page);
    if (!old) {
        return map_fresh_page(page, perms);
    }
    // This handle and the mapping's own reference: nobody else has the page, so it is ours to
    // write without a copy.
    if (old->ref_count() <= 2) {
        return space_->protect(page, page_size, perms);
    }
    Frame copy = TRY(Frame::allocate());
    copy.copy_from(*old);
    TRY(space_->unmap(page, page_size));
    return space_->map(page, copy, perms);
}

Result<void> AddressSpace::handle_fault(uptr address, UserAccess access) {
    Optional<usize> index = area_index(address);
    if (!index || !allows(areas_[*index].perms, access)) {
        return Errno::efault;
    }
    uptr page = page_floor(address);
    Perms perms = page_perms(areas_[*index].perms);
    Optional<VmMapping> m = space_->query(page);
    if (!m) {
        return map_fresh_page(page, perms);
    }
    if (access == UserAccess::write && !has(m->perms, Perms::write)) {
        return break_cow(page, perms);
    }
    return {}; // already fixed (another CPU's TLB was stale): retry the access
}

Result<void> AddressSpace::fault_in(uptr start, usize size, UserAccess access) {
    uptr end = 0;
    if (size == 0) {
        return {};
    }
    if (__builtin_add_overflow(start, size, &end) || end > VmSpace::user_end()) {
        return Errno::efault;
    }
    for (uptr page = page_floor(start); page < end; page += page_size) {
        Optional<VmMapping> m = space_->query(page);
        bool ok = m && (access != UserAccess::write || has(m->perms, Perms::write));
        if (!ok) {
            TRY(handle_fault(page < start ? start : page, access));
        }
    }
    return {};
}

Result<void> AddressSpace::populate(uptr address, Bytes bytes) {
    usize done = 0;
    while (done < bytes.size()) {
        uptr at = address + done;
        uptr page = page_floor(at);
        Optional<usize> index = area_index(at);
        if (!index) {
            return Errno::efault;
        }
        if (!space_->query(page)) {
            TRY(map_fresh_page(page, page_perms(areas_[*index].perms)));
        }
        Optional<Frame> frame = space_->frame_at(page);
        if (!frame) {
            return Errno::efault;
        }
        usize offset = at - page;
        usize count = min<usize>(bytes.size() - done, page_size - offset);
        TRY(frame->write(offset, bytes.subspan(done, count)));
        done += count;
    }
    return {};
}

Result<Box<AddressSpace>> AddressSpace::fork() {
    Box<AddressSpace> child = TRY(create());
    TRY(child->areas_.append(areas_.span()));
    child->brk_start = brk_start;
    child->brk_end = brk_end;
    child->mmap_base = mmap_base;
    for (const Area& a : areas_) {
        Perms shared = without_write(page_perms(a.perms));
        VmSpace::Cursor cursor = space_->cursor(a.start, a.end - a.start);
        while (Optional<VmMapping> m = cursor.next()) {
            for (uptr page = m->va; page < m->va + m->size; page += page_size) {
                Optional<Frame> frame = space_->frame_at(page);
                if (!frame) {
                    continue;
                }
                TRY(child->space_->map(page, *frame, shared));
            }
            if (has(m->perms, Perms::write)) {
                TRY(space_->protect(m->va, m->size, shared));
            }
        }
    }
    return child;
}

} // namespace keel::vm
