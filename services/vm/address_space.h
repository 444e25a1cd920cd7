// A process's memory: its VmSpace (the page tables) and the areas it may use (Linux's VMAs).
// Every area is private anonymous memory: pages appear zeroed on first touch (demand-zero), and
// after fork parent and child share them read-only until one writes (copy-on-write, decided by
// the page's reference count). Program images are copied in at exec (no file mappings yet).
// Not locked: one task runs a process (no threads yet), and the owner serializes calls.
#pragma once

#include <keel/box.h>
#include <keel/ktl/vector.h>
#include <keel/user_mode.h>
#include <keel/vm_space.h>

namespace keel::vm {

struct Area {
    uptr start = 0;            // page aligned
    uptr end = 0;              // page aligned, exclusive
    Perms perms = Perms::none; // what the program asked for (none: PROT_NONE)
};

class AddressSpace {
public:
    static Result<Box<AddressSpace>> create();
    explicit AddressSpace(Box<VmSpace> space) : space_(move(space)) {}

    VmSpace& vm() { return *space_; }
    Span<const Area> areas() const { return areas_.span(); }

    // A new area over [start, start + size), which must be free (EEXIST otherwise).
    Result<void> add_area(uptr start, usize size, Perms perms);
    // The highest free range of size bytes below `below` (and above the lowest user page);
    // ENOMEM when there is none.
    Result<uptr> find_free(usize size, uptr below) const;
    bool is_free(uptr start, usize size) const;
    // Removes areas and pages in the range; holes are fine (munmap).
    Result<void> unmap(uptr start, usize size);
    // Changes the range's permissions; ENOMEM when part of it is not in an area (mprotect).
    Result<void> protect(uptr start, usize size, Perms perms);

    // A user page fault: a page appears (demand-zero or copy-on-write) when the area allows the
    // access; EFAULT when no area covers the address or it forbids the access (SIGSEGV).
    Result<void> handle_fault(uptr address, UserAccess access);
    // Faults in every page of a range the kernel is about to copy to or from, so that the copy
    // meets only mapped pages; EFAULT as above.
    Result<void> fault_in(uptr start, usize size, UserAccess access);

    // Writes bytes at a user address, allocating the pages (exec fills a new image through
    // this before the program runs, whatever the area's permissions).
    Result<void> populate(uptr address, Bytes bytes);

    // The copy-on-write copy of this space for a child (fork).
    Result<Box<AddressSpace>> fork();

    uptr brk_start = 0;
    uptr brk_end = 0;
    uptr mmap_base = 0; // mmap's top-down search starts below here

private:
    Optional<usize> area_index(uptr address) const;
    Result<void> split_at(uptr address); // makes address an area boundary
    Result<void> map_fresh_page(uptr page, Perms perms);
    Result<void> break_cow(uptr page, Perms perms);

    Box<VmSpace> space_;
    Vector<Area> areas_; // sorted by start, never overlapping
};

// The page-aligned range [align_down(start), align_up(start + size)); EINVAL on overflow.
inline uptr page_floor(uptr address) { return address & ~uptr{page_size - 1}; }
Result<uptr> page_ceil(uptr address);

} // namespace keel::vm
