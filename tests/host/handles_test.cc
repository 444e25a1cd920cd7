// Handles that cannot be forged (keel/framework_key.h, keel/box.h, keel/dma.h): no public way
// to make one out of a number or a raw pointer, checked here the way a services file sees the
// headers (this file does not include the framework's private key), and owning handles that
// panic when used empty instead of reading through null.
#include <gtest/gtest.h>

#include <keel/box.h>
#include <keel/dma.h>
#include <keel/frame.h>
#include <keel/global.h>
#include <keel/io_mem.h>
#include <keel/irq.h>
#include <keel/pci.h>
#include <keel/platform_device.h>
#include <keel/task.h>
#include <keel/timer.h>

using namespace keel;

namespace {

// Nothing that carries an address, a page number, a line or a device index is an aggregate,
// and none has a constructor a caller without the key can reach.
static_assert(!__is_aggregate(DeviceRange));
static_assert(!__is_aggregate(DmaSpace));
static_assert(!__is_constructible(DeviceRange, u64, usize));
static_assert(!__is_constructible(DmaSpace, u64, u64));
static_assert(!__is_constructible(DmaSpace));
static_assert(!__is_constructible(IoMem, uptr, u64, usize, u32, bool));
static_assert(!__is_constructible(IrqLine, u32));
static_assert(!__is_constructible(PciDevice, usize));
static_assert(!__is_constructible(PlatformDevice, usize));
static_assert(!__is_constructible(Frame, u64));
static_assert(!__is_constructible(Segment, u64, usize));
static_assert(!__is_constructible(TaskHandle, sched::TaskControl*));
// Owning handles adopt no pointer: only fresh heap blocks (which only the heap makes) and other
// handles.
static_assert(!__is_constructible(Box<int>, int*));
static_assert(!__is_constructible(detail::HeapBlock, void*, usize, usize));

struct Shared : RefCounted<Shared> {
    int value = 7;
};
static_assert(!__is_constructible(RefPtr<Shared>, Shared*));

struct Base {
    virtual ~Base() = default;
    int base = 1;
};
struct Derived final : Base {
    int derived = 2;
};
struct Other {
    virtual ~Other() = default;
    long other = 3;
};
// Base is Twice's second base: its address is not the allocation's.
struct Twice final : Other, Base {};

} // namespace

TEST(Handles, BoxAndRefPtrStillWorkThroughTheirFactories) {
    Box<int> b = make_box<int>(41).release_value();
    *b += 1;
    EXPECT_EQ(*b, 42);
    Box<Base> up = make_box<Derived>().release_value();
    EXPECT_EQ(up->base, 1);
    RefPtr<Shared> r = make_ref<Shared>().release_value();
    RefPtr<Shared> copy = r;
    EXPECT_EQ(r->ref_count(), 2u);
    EXPECT_EQ(copy->value, 7);
    // A block nobody built in goes back to the heap (the leak checker would say otherwise).
    EXPECT_TRUE(detail::HeapBlock::allocate(64, 16).ok());
    EXPECT_EQ(detail::HeapBlock::allocate(0, 8).error(), Errno::einval);
}

TEST(Handles, LeakedBoxIsEmpty) {
    Box<int> b = make_box<int>(3).release_value();
    int* kept = b.leak();
    EXPECT_FALSE(b);
    EXPECT_EQ(*kept, 3);
    // Leaked for good, as Rust's Box::leak: give it back by hand so the test does not leak.
    detail::heap_release(kept);
}

TEST(HandlesDeathTest, MovedFromBoxPanicsOnUse) {
    Box<int> b = make_box<int>(1).release_value();
    Box<int> taken = move(b);
    EXPECT_FALSE(b);
    EXPECT_DEATH((void)*b, "Box used after it was moved from");
    Box<Base> base = make_box<Derived>().release_value();
    Box<Base> moved = move(base);
    EXPECT_DEATH((void)base->base, "Box used after it was moved from");
    EXPECT_EQ(*taken, 1);
}

TEST(HandlesDeathTest, MovedFromRefPtrPanicsOnUse) {
    RefPtr<Shared> r = make_ref<Shared>().release_value();
    RefPtr<Shared> taken = move(r);
    EXPECT_FALSE(r);
    EXPECT_DEATH((void)r->value, "RefPtr used after it was moved from");
    EXPECT_DEATH((void)*r, "RefPtr used after it was moved from");
    EXPECT_EQ(taken->value, 7);
}

TEST(HandlesDeathTest, UpcastToABaseAtAnOffsetPanics) {
    // The heap would be handed the base's address, not the one it gave out.
    EXPECT_DEATH(
        {
            Box<Base> b = make_box<Twice>().release_value();
            (void)b;
        },
        "assertion failed.*box.h");
}

// What Global::with refuses to return (a static_assert there; the host has no SpinLock, so its
// trait is checked here and the refusal in tests/gate/bad_global_with_reference.cc).
static_assert(detail::can_view<int&>);
static_assert(detail::can_view<const int&>);
static_assert(detail::can_view<int*>);
static_assert(detail::can_view<int* const>);
static_assert(detail::can_view<int Base::*>);
static_assert(detail::can_view<Span<u8>>);
static_assert(detail::can_view<const Span<const u8>>);
static_assert(detail::can_view<StringView>);
static_assert(detail::can_view<Result<Span<u8>>>);
static_assert(detail::can_view<Optional<int*>>);
static_assert(!detail::can_view<int>);
static_assert(!detail::can_view<void>);
static_assert(!detail::can_view<Result<int>>);
static_assert(!detail::can_view<Box<int>>);
