// VmSpace: a user address space, the safe handle services build processes on. It maps Frames and
// Segments at user addresses with permissions, and keeps every mapped page alive by holding a
// reference to it until the page is unmapped; it can never map, unmap or protect a kernel
// address (EINVAL). The kernel half is shared by every space and invisible here. Not locked:
// the owner (a process's address-space lock) serializes changes, as Linux's mmap_lock does.
#pragma once

#include <keel/box.h>
#include <keel/frame.h>
#include <keel/ktl/optional.h>

namespace keel {

struct VmMapping {
    uptr va = 0;
    u64 phys = 0;
    u64 size = 0; // the leaf's size: 4 KiB, or 2 MiB / 1 GiB for aligned segments
    Perms perms = Perms::none;
};

class VmSpace {
    struct Private {};

public:
    static Result<Box<VmSpace>> create();
    explicit VmSpace(Private) {}
    VmSpace(const VmSpace&) = delete;
    VmSpace& operator=(const VmSpace&) = delete;
    ~VmSpace();

    // User addresses are [page_size, user_end()): the lowest page stays unmapped for NULL.
    static uptr user_end();

    // All addresses page aligned, the range inside the user part, perms including read:
    // otherwise EINVAL. EEXIST if something is mapped there already; ENOMEM.
    Result<void> map(uptr va, const Frame& frame, Perms perms);
    Result<void> map(uptr va, const Segment& segment, Perms perms);
    // Unmapping or protecting holes is not an error.
    Result<void> unmap(uptr va, usize size);
    Result<void> protect(uptr va, usize size, Perms perms);
    Optional<VmMapping> query(uptr va) const;
    // Another handle on the page mapped at va (none when nothing is): copy-on-write reads its
    // ref_count to tell a page only this space maps (the mapping's reference and this handle)
    // from a shared one.
    Optional<Frame> frame_at(uptr va) const;

    // Makes this the user half of the running CPU; deactivate() leaves only the kernel half.
    void activate();
    static void deactivate();
    bool is_active() const;

    // Walks the mappings of a range in address order.
    class Cursor {
    public:
        Optional<VmMapping> next();

    private:
        friend class VmSpace;
        Cursor(const VmSpace& space, uptr at, uptr end) : space_(&space), at_(at), end_(end) {}
        const VmSpace* space_;
        uptr at_;
        uptr end_;
    };
    Cursor cursor(uptr va, usize size) const;

    // The number of pages mapped (for tests and accounting).
    u64 mapped_pages() const;

private:
    Result<void> map_pages(uptr va, u64 first_pfn, usize pages, Perms perms);
    u64 root_ = 0; // physical address of the root table
    u32 asid_ = 0; // 0: none, every activation flushes
    u64 mapped_pages_ = 0;
};

} // namespace keel
