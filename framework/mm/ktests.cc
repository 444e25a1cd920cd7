// In-kernel tests of the memory framework on the real MMU of each arch: frames, the heap, the
// kernel address space (W^X, guard pages, map/translate/unmap round trips), VmSpace and IoMem.
// mm_fault.* are fatal cases: ./keel test boots once for each and checks the fault report.
#include <keel/box.h>
#include <keel/frame.h>
#include <keel/io_mem.h>
#include <keel/ktest.h>
#include <keel/meminfo.h>
#include <keel/vm_space.h>

#include <arch/memory.h>
#include <arch/paging.h>

#include "address.h"
#include "io_mem_internal.h"
#include "mm/frames.h"
#include "mm/heap.h"
#include "mm/kernel_space.h"
#include "mm/kernel_vm.h"

namespace keel {
namespace {

// Tests read and write only addresses they mapped themselves (or kernel data), through volatile
// so the access really happens on the MMU; the fatal cases fault on purpose.
u64 load(uptr va) {
    // SAFETY: va is a mapped, 8-byte aligned word the calling test owns (or one it means to
    // fault on, ending the kernel with a report); volatile makes the load really happen.
    return *reinterpret_cast<volatile const u64*>(va);
}
void store(uptr va, u64 value) {
    // SAFETY: as in load, for a store.
    *reinterpret_cast<volatile u64*>(va) = value;
}

Perms perms_at(uptr va) {
    Optional<mm::Mapping> m = mm::query_kernel(va);
    return m ? m->attrs.perms : Perms::none;
}

[[gnu::noinline]] int function_in_text(int x) { return x + 1; }
const u64 constant_in_rodata = 0x1234;
u64 variable_in_data = 7;

KTEST(frames, allocation_is_zeroed_bounded_and_reference_counted) {
    u64 free_before = mem_info().free_bytes;
    {
        Result<Frame> allocated = Frame::allocate();
        KASSERT(allocated.ok());
        Frame frame = allocated.release_value();
        KEXPECT_EQ(frame.read_value<u64>(4088).value(), u64{0});
        KEXPECT(frame.write_value<u32>(100, 0xdeadbeef).ok());
        KEXPECT_EQ(frame.read_value<u32>(100).value(), u32{0xdeadbeef});
        KEXPECT_EQ(frame.read_value<u64>(4090).error(), Errno::einval);
        KEXPECT_EQ(frame.write_value<u8>(4096, 1).error(), Errno::einval);
        Frame shared = frame;
        KEXPECT_EQ(frame.ref_count(), u32{2});
        Frame copy = Frame::allocate().release_value(); // what copy-on-write will do
        copy.copy_from(frame);
        KEXPECT_EQ(copy.read_value<u32>(100).value(), u32{0xdeadbeef});
        KEXPECT(copy.phys() != frame.phys());
        KEXPECT_EQ(shared.phys(), frame.phys());
        KEXPECT(mem_info().free_bytes < free_before);
    }
    KEXPECT_EQ(mem_info().free_bytes, free_before);
}

KTEST(frames, segments_are_contiguous_and_share_pages_as_frames) {
    u64 free_before = mem_info().free_bytes;
    {
        Result<Segment> allocated = Segment::allocate(5);
        KASSERT(allocated.ok());
        Segment segment = allocated.release_value();
        KEXPECT_EQ(segment.size(), usize{5 * page_size});
        Array<u8, 8> bytes{1, 2, 3, 4, 5, 6, 7, 8};
        KEXPECT(segment.write(3 * page_size - 4, Span<const u8>(bytes.span())).ok()); // straddles
        Frame third = segment.frame(3).release_value();
        KEXPECT_EQ(third.phys(), segment.phys() + 3 * page_size);
        KEXPECT_EQ(third.read_value<u32>(0).value(), u32{0x08070605});
        KEXPECT_EQ(segment.frame(5).error(), Errno::einval);
        KEXPECT_EQ(Segment::allocate(0).error(), Errno::einval);
    }
    KEXPECT_EQ(mem_info().free_bytes, free_before);
}

KTEST(frames, stress_allocation_and_exhaustion_of_a_large_request) {
    u64 free_before = mem_info().free_bytes;
    {
        Array<Optional<Frame>, 256> frames{};
        for (usize i = 0; i < frames.size(); ++i) {
            Result<Frame> f = Frame::allocate();
            KASSERT(f.ok());
            KASSERT(f.value().write_value<u64>(0, i).ok());
            frames[i] = f.release_value();
        }
        for (usize i = 0; i < frames.size(); ++i) {
            KEXPECT_EQ(frames[i]->read_value<u64>(0).value(), u64{i});
        }
        for (usize i = 0; i < frames.size(); i += 2) {
            frames[i].reset(); // every other page back: the per-CPU cache and buddy interleave
        }
        // More than all of RAM: an error, not a panic.
        KEXPECT_EQ(Segment::allocate(usize{1} << 30).error(), Errno::enomem);
        for (usize round = 0; round < 8; ++round) {
            Result<Segment> s = Segment::allocate(1 + round * 37);
            KEXPECT(s.ok());
        }
    }
    KEXPECT_EQ(mem_info().free_bytes, free_before);
}

KTEST(heap, boxes_and_refptrs_allocate_construct_and_free) {
    struct Counted : RefCounted<Counted> {
        explicit Counted(u32& destroyed) : destroyed_(&destroyed) {}
        ~Counted() { *destroyed_ += 1; }
        u32* destroyed_;
    };
    mm::HeapStats before = mm::heap_stats();
    u32 destroyed = 0;
    {
        Result<Box<Array<u64, 3>>> small = make_box<Array<u64, 3>>();
        KASSERT(small.ok());
        KEXPECT_EQ((*small.value())[2], u64{0});
        Result<Box<Array<u8, 10000>>> large = make_box<Array<u8, 10000>>();
        KASSERT(large.ok());
        (*large.value())[9999] = 1;
        Result<RefPtr<Counted>> shared = make_ref<Counted>(destroyed);
        KASSERT(shared.ok());
        RefPtr<Counted> other = shared.value();
        KEXPECT_EQ(other->ref_count(), u32{2});
        KEXPECT(mm::heap_stats().objects_in_use >= before.objects_in_use + 2);
    }
    KEXPECT_EQ(destroyed, u32{1});
    KEXPECT_EQ(mm::heap_stats().objects_in_use, before.objects_in_use);
    KEXPECT_EQ(mm::heap_stats().large_pages, before.large_pages);
}

KTEST(heap, stress_every_size_class_and_alignment) {
    u64 free_before = mem_info().free_bytes;
    mm::HeapStats before = mm::heap_stats();
    {
        Array<Optional<Box<Array<u8, 96>>>, 128> mid{};
        Array<Optional<Box<Array<u64, 64>>>, 128> big{};
        for (usize i = 0; i < mid.size(); ++i) {
            Result<Box<Array<u8, 96>>> m = make_box<Array<u8, 96>>();
            Result<Box<Array<u64, 64>>> b = make_box<Array<u64, 64>>();
            KASSERT(m.ok() && b.ok());
            mid[i] = m.release_value();
            big[i] = b.release_value();
        }
        for (usize i = 0; i < mid.size(); i += 3) {
            mid[i].reset();
        }
        Result<void*> aligned = detail::heap_allocate(40, 64);
        KASSERT(aligned.ok());
        KEXPECT_EQ(address_of(aligned.value()) % 64, uptr{0});
        detail::heap_release(aligned.value());
        KEXPECT_EQ(detail::heap_allocate(0, 8).error(), Errno::einval);
        KEXPECT_EQ(detail::heap_allocate(8, 3).error(), Errno::einval);
    }
    KEXPECT_EQ(mm::heap_stats().objects_in_use, before.objects_in_use);
    // Emptied slabs go back (one per class may stay cached).
    KEXPECT(mem_info().free_bytes + 16 * page_size >= free_before);
}

KTEST(kernel_space, image_sections_are_mapped_w_xor_x) {
    KEXPECT_EQ(perms_at(address_of(&function_in_text)), Perms::read_exec);
    KEXPECT_EQ(perms_at(address_of(&constant_in_rodata)), Perms::read);
    KEXPECT_EQ(perms_at(address_of(&variable_in_data)), Perms::read_write);
    arch::KernelLayout layout = arch::kernel_layout();
    for (uptr va = layout.text.base; va < layout.data.end; va += page_size) {
        Perms p = perms_at(va);
        KEXPECT(!(has(p, Perms::write) && has(p, Perms::exec)));
    }
    Optional<mm::Mapping> text = mm::query_kernel(layout.text.base);
    KASSERT(text.has_value());
    KEXPECT(text->attrs.global && !text->attrs.user);
    KEXPECT_EQ(text->phys, layout.image_phys);
}

KTEST(kernel_space, linear_map_covers_ram_and_aliases_text_read_only) {
    arch::KernelLayout layout = arch::kernel_layout();
    KEXPECT_EQ(perms_at(arch::phys_to_virt(layout.image_phys)), Perms::read);
    for (const MemoryRegion& r : boot_info().memory) {
        if (r.kind == MemoryKind::Usable) {
            KEXPECT_EQ(perms_at(arch::phys_to_virt(r.base)), Perms::read_write);
            KEXPECT_EQ(perms_at(arch::phys_to_virt(r.end() - page_size)), Perms::read_write);
        }
    }
    Optional<mm::Mapping> m = mm::query_kernel(arch::phys_to_virt(layout.image_phys));
    KEXPECT(m.has_value() && m->phys == layout.image_phys);
}

KTEST(kernel_space, boot_stack_has_an_unmapped_guard_page) {
    VirtRange stack = arch::boot_stack();
    KEXPECT(!mm::query_kernel(stack.base - page_size).has_value());
    KEXPECT_EQ(perms_at(stack.base), Perms::read_write);
    KEXPECT(mm::guard_of(stack.base - 8).has_value());
    KEXPECT(!mm::guard_of(stack.base).has_value());
}

KTEST(kernel_space, map_translate_unmap_round_trip_on_the_mmu) {
    Frame a = Frame::allocate().release_value();
    Frame b = Frame::allocate().release_value();
    KASSERT(a.write_value<u64>(8, 0xaaaa).ok() && b.write_value<u64>(8, 0xbbbb).ok());
    Result<uptr> va = mm::allocate_kernel_va(2 * page_size);
    KASSERT(va.ok());
    uptr at = va.value();
    mm::PageAttrs rw = mm::PageAttrs::kernel(Perms::read_write);
    KASSERT(mm::map_kernel(at, a.phys(), page_size, rw).ok());
    KEXPECT_EQ(mm::query_kernel(at)->phys, a.phys());
    KEXPECT_EQ(load(at + 8), u64{0xaaaa});
    store(at + 16, 0x5555);
    KEXPECT_EQ(a.read_value<u64>(16).value(), u64{0x5555});
    KEXPECT_EQ(mm::map_kernel(at, b.phys(), page_size, rw).error(), Errno::eexist);
    mm::unmap_kernel(at, page_size);
    KEXPECT(!mm::query_kernel(at).has_value());
    // Remapped to another frame: a stale TLB entry would still show a's data.
    KASSERT(mm::map_kernel(at, b.phys(), page_size, rw).ok());
    KEXPECT_EQ(load(at + 8), u64{0xbbbb});
    mm::unmap_kernel(at, page_size);
    mm::free_kernel_va(at, 2 * page_size);
}

KTEST(kernel_space, kernel_stacks_have_guard_pages_and_are_freed) {
    u64 stacks_before = mem_info().kernel_stack_bytes;
    uptr guard = 0;
    {
        Result<mm::KernelStack> allocated = mm::KernelStack::allocate();
        KASSERT(allocated.ok());
        mm::KernelStack stack = move(allocated.value());
        VirtRange r = stack.range();
        KEXPECT_EQ(r.end - r.base, mm::KernelStack::default_pages * page_size);
        guard = stack.guard_page();
        KEXPECT(!mm::query_kernel(guard).has_value());
        KEXPECT(mm::guard_of(guard).has_value());
        KEXPECT(mm::on_kernel_stack(r.end - 16, 16));
        store(r.base, 1);
        store(r.end - 8, 2);
        KEXPECT_EQ(load(r.base) + load(r.end - 8), u64{3});
        KEXPECT_EQ(mem_info().kernel_stack_bytes, stacks_before + r.end - r.base);
        KEXPECT_EQ(mm::KernelStack::allocate(mm::KernelStack::max_pages + 1).error(),
                   Errno::einval);
    }
    KEXPECT_EQ(mem_info().kernel_stack_bytes, stacks_before);
    KEXPECT(!mm::guard_of(guard).has_value());
}

KTEST(vm_space, map_query_protect_unmap_and_reference_counts) {
    Result<Box<VmSpace>> created = VmSpace::create();
    KASSERT(created.ok());
    Box<VmSpace> space = move(created.value());
    Frame frame = Frame::allocate().release_value();
    uptr va = 0x40'0000;
    KASSERT(space->map(va, frame, Perms::read_write).ok());
    KEXPECT_EQ(frame.ref_count(), u32{2});
    Optional<VmMapping> m = space->query(va + 123);
    KASSERT(m.has_value());
    KEXPECT_EQ(m->phys, frame.phys());
    KEXPECT_EQ(m->perms, Perms::read_write);
    KEXPECT_EQ(space->map(va, frame, Perms::read).error(), Errno::eexist);
    KEXPECT(space->protect(va, page_size, Perms::read).ok());
    KEXPECT_EQ(space->query(va)->perms, Perms::read);
    KEXPECT(space->unmap(va, page_size).ok());
    KEXPECT(!space->query(va).has_value());
    KEXPECT_EQ(frame.ref_count(), u32{1});
    KEXPECT_EQ(space->mapped_pages(), u64{0});
}

KTEST(vm_space, kernel_addresses_and_bad_ranges_are_rejected) {
    Box<VmSpace> space = VmSpace::create().release_value();
    Frame frame = Frame::allocate().release_value();
    arch::KernelLayout layout = arch::kernel_layout();
    KEXPECT_EQ(space->map(layout.text.base, frame, Perms::read).error(), Errno::einval);
    KEXPECT_EQ(space->map(0, frame, Perms::read).error(), Errno::einval); // the NULL page
    KEXPECT_EQ(space->map(0x1001, frame, Perms::read).error(), Errno::einval);
    KEXPECT_EQ(space->map(VmSpace::user_end(), frame, Perms::read).error(), Errno::einval);
    KEXPECT_EQ(space->map(0x1000, frame, Perms::write).error(), Errno::einval);
    KEXPECT_EQ(space->unmap(layout.data.base, page_size).error(), Errno::einval);
    KEXPECT_EQ(space->protect(~uptr{0} - page_size + 1, 2 * page_size, Perms::read).error(),
               Errno::einval);
    KEXPECT(!space->query(layout.text.base).has_value());
    KEXPECT_EQ(frame.ref_count(), u32{1});
}

KTEST(vm_space, cursor_walks_mappings_and_teardown_drops_them) {
    Frame frame = Frame::allocate().release_value();
    Segment segment = Segment::allocate(3).release_value();
    {
        Box<VmSpace> space = VmSpace::create().release_value();
        KASSERT(space->map(0x10'0000, frame, Perms::read).ok());
        KASSERT(space->map(0x20'0000, segment, Perms::read_exec).ok());
        VmSpace::Cursor cursor = space->cursor(0, VmSpace::user_end());
        usize seen = 0;
        uptr last = 0;
        while (Optional<VmMapping> m = cursor.next()) {
            KEXPECT(m->va > last || seen == 0);
            last = m->va;
            ++seen;
        }
        KEXPECT_EQ(seen, usize{4});
        KEXPECT_EQ(space->mapped_pages(), u64{4});
        KEXPECT_EQ(frame.ref_count(), u32{2});
    }
    KEXPECT_EQ(frame.ref_count(), u32{1});
    KEXPECT_EQ(segment.frame(0).value().ref_count(), u32{2}); // the segment's and this Frame's
}

KTEST(vm_space, activated_space_is_what_the_mmu_walks) {
    Frame frame = Frame::allocate().release_value();
    KASSERT(frame.write_value<u64>(0, 0x600d).ok());
    Box<VmSpace> space = VmSpace::create().release_value();
    uptr va = 0x7000'0000;
    KASSERT(space->map(va, frame, Perms::read_write).ok());
    space->activate();
    KEXPECT(space->is_active());
    arch::user_access_begin();
    u64 seen = load(va);
    store(va + 8, 0xbeef);
    arch::user_access_end();
    VmSpace::deactivate();
    KEXPECT_EQ(seen, u64{0x600d});
    KEXPECT_EQ(frame.read_value<u64>(8).value(), u64{0xbeef});
    KEXPECT(!space->is_active());
    // The kernel half kept working while the user root was loaded: this line ran.
    KEXPECT_EQ(perms_at(address_of(&variable_in_data)), Perms::read_write);
}

KTEST(io_mem, windows_refuse_ram_claims_and_out_of_bounds_offsets) {
    KEXPECT_EQ(IoMem::acquire(arch::kernel_layout().image_phys, page_size).error(), Errno::eperm);
    KEXPECT_EQ(IoMem::acquire(0x1000'0000'0000, 0).error(), Errno::einval);
    KEXPECT_EQ(IoMem::acquire(~u64{0} - 8, 64).error(), Errno::einval);
    // A window over an address no RAM uses; only rejected accesses touch it.
    u64 phys = 0x7f'0000'0000;
    KASSERT(claim_device_range(phys, page_size).ok());
    KEXPECT_EQ(IoMem::acquire(phys, 64).error(), Errno::eperm);
    release_device_range(phys, page_size);
    Result<IoMem> window = IoMem::acquire(phys + 0x10, 0x20);
    KASSERT(window.ok());
    IoMem& io = window.value();
    KEXPECT_EQ(io.read32(0x20).error(), Errno::einval);
    KEXPECT_EQ(io.read32(0x1e).error(), Errno::einval);
    KEXPECT_EQ(io.read64(0x1c).error(), Errno::einval);
    KEXPECT_EQ(io.write8(0x20, 1).error(), Errno::einval);
    KEXPECT_EQ(io.read16(0x3).error(), Errno::einval);
    struct Beyond : Register<Beyond, u32, 0x40> {};
    KEXPECT_EQ(io.read<Beyond>().error(), Errno::einval);
}

KTEST(io_mem, register_fields_read_modify_write) {
    struct Control : Register<Control, u32, 0x8> {
        KEEL_REG_BIT(0, enable);
        KEEL_REG_FIELD(7, 4, mode);
        KEEL_REG_FIELD(31, 16, divisor);
    };
    Control c = Control::from_value(0xffff'0001);
    KEXPECT_EQ(c.enable(), u32{1});
    KEXPECT_EQ(c.divisor(), u32{0xffff});
    c.set_mode(0xa);
    c.set_enable(0);
    KEXPECT_EQ(c.value(), u32{0xffff'00a0});
    KEXPECT_EQ(Control::offset, usize{8});
}

KTEST(meminfo, counters_add_up) {
    MemInfo m = mem_info();
    KEXPECT(m.total_bytes > 0 && m.free_bytes < m.total_bytes);
    KEXPECT(m.page_table_bytes > 0);
    KEXPECT(m.slab_bytes < m.total_bytes);
    KEXPECT_EQ(m.total_bytes, boot_info().total_bytes(MemoryKind::Usable));
}

// --- fatal: each ends the kernel with a report that ./keel test checks --------------------------

[[gnu::noinline]] void write_into_kernel_text() { store(address_of(&function_in_text), 0); }

KTEST_FATAL(mm_fault, write_kernel_text) { write_into_kernel_text(); }

[[gnu::noinline]] u64 recurse_forever(u64 depth) {
    // Filled here, not zero-initialized: a zeroing memset call would be the function that
    // touches the guard page first, and the report would name memset.
    Array<u64, 64> frame_filler;
    for (usize i = 0; i < frame_filler.size(); ++i) {
        frame_filler[i] = depth ^ i;
    }
    store(address_of(&variable_in_data), depth);
    if (load(address_of(&variable_in_data)) == ~u64{0}) {
        return 0; // never: the guard page is hit long before
    }
    // Not a tail call: the result is used after the call returns.
    return recurse_forever(depth + 1) + frame_filler[(depth + 1) % 64];
}

KTEST_FATAL(mm_fault, stack_overflow) { (void)recurse_forever(0); }

// With KEEL_DEBUG_CHECKS (the default) the heap catches these kernel bugs and panics.
// A neighbour stays allocated in each so the slab page, and its checks, stay in place.
[[gnu::noinline]] void free_twice() {
    (void)detail::heap_allocate(48, 8);
    void* object = detail::heap_allocate(48, 8).release_value();
    detail::heap_release(object);
    detail::heap_release(object);
}

KTEST_FATAL(heap_fault, double_free) { free_twice(); }

[[gnu::noinline]] void write_after_free() {
    (void)detail::heap_allocate(48, 8);
    void* object = detail::heap_allocate(48, 8).release_value();
    detail::heap_release(object);
    store(address_of(object) + 16, 0x1234); // a stale pointer's write
    // The class hands the most recently freed object out first: this finds the damage.
    (void)detail::heap_allocate(48, 8);
}

KTEST_FATAL(heap_fault, write_after_free) { write_after_free(); }

} // namespace
} // namespace keel
