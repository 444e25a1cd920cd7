// keel/dma.h on the host backend: whole zeroed pages, single-width accesses only where aligned
// and inside, copies bounded, the device's reach honoured, and every page given back.
#include <gtest/gtest.h>

#include <keel/dma.h>

#include "host/dma_host.h"
#include "private/framework_key.h"

using namespace keel;

TEST(Dma, CoherentMemoryIsZeroedWholePagesWithCheckedAccesses) {
    usize before = host::live_dma_allocations();
    {
        Result<DmaCoherent> allocated = DmaCoherent::allocate(DmaSpace::identity(), 100);
        ASSERT_TRUE(allocated.ok());
        DmaCoherent& ring = allocated.value();
        EXPECT_EQ(ring.size(), page_size);
        EXPECT_EQ(ring.load<u64>(4088).value(), 0u);
        EXPECT_TRUE(ring.store<u16>(2, 0xbeef).ok());
        EXPECT_TRUE(ring.store<u32>(8, 0x12345678).ok());
        EXPECT_EQ(ring.load<u16>(2).value(), 0xbeef);
        EXPECT_EQ(ring.load<u64>(8).value(), 0x12345678u);
        EXPECT_EQ(ring.load<u32>(2).error(), Errno::einval);    // misaligned
        EXPECT_EQ(ring.load<u64>(4096).error(), Errno::einval); // outside
        EXPECT_EQ(ring.store<u8>(4096, 1).error(), Errno::einval);
        u8 bytes[4] = {};
        EXPECT_TRUE(ring.read(2, Span<u8>(bytes)).ok());
        EXPECT_EQ(bytes[0], 0xef);
        EXPECT_EQ(bytes[1], 0xbe);
        EXPECT_EQ(ring.read(4094, Span<u8>(bytes)).error(), Errno::einval);
        // What the device sees at its address is the same memory.
        Optional<Span<u8>> device =
            host::dma_memory(ring.device_range().address(FrameworkKey{}) + 2, 2);
        ASSERT_TRUE(device.has_value());
        EXPECT_EQ((*device)[1], 0xbe);
        EXPECT_FALSE(
            host::dma_memory(ring.device_range().address(FrameworkKey{}) + 4095, 2).has_value());
        ring.zero();
        EXPECT_EQ(ring.load<u16>(2).value(), 0);
        EXPECT_EQ(host::live_dma_allocations(), before + 1);
    }
    EXPECT_EQ(host::live_dma_allocations(), before);
    EXPECT_EQ(DmaCoherent::allocate(DmaSpace::identity(), 0).error(), Errno::einval);
}

TEST(Dma, BuffersMoveAndRespectTheDeviceReach) {
    Result<DmaStream> a = DmaStream::allocate(DmaSpace::identity(), 5000, DmaDirection::to_device);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.value().size(), 2 * page_size);
    const u8 data[3] = {1, 2, 3};
    EXPECT_TRUE(a.value().write(8190, Span<const u8>(data).first(2)).ok());
    EXPECT_EQ(a.value().write(8190, Span<const u8>(data)).error(), Errno::einval);
    a.value().sync_for_device();
    DmaStream moved = a.release_value();
    u8 back[2] = {};
    moved.sync_for_cpu();
    EXPECT_TRUE(moved.read(8190, Span<u8>(back)).ok());
    EXPECT_EQ(back[1], 2);
    // Host addresses are far above 4 KiB: a device that reaches only that far gets nothing.
    EXPECT_EQ(DmaStream::allocate(DmaSpace::below(4096), 1, DmaDirection::from_device).error(),
              Errno::enomem);
}

// Device addresses reach a driver only as DeviceRanges of its own buffers: sub-ranges stay
// inside (EINVAL otherwise, overflow included), an empty range is refused where a device would
// be told about it, and the address lands in the descriptor only through the framework.
TEST(Dma, DeviceRangesStayInsideTheirBuffer) {
    Result<DmaCoherent> allocated = DmaCoherent::allocate(DmaSpace::identity(), 100);
    ASSERT_TRUE(allocated.ok());
    DmaCoherent& ring = allocated.value();
    DeviceRange whole = ring.device_range();
    u64 base = whole.address(FrameworkKey{});
    EXPECT_EQ(whole.size(), page_size);

    Result<DeviceRange> part = whole.sub(16, 32);
    ASSERT_TRUE(part.ok());
    EXPECT_EQ(part.value().address(FrameworkKey{}), base + 16);
    EXPECT_EQ(part.value().size(), 32u);
    // Narrowing again is relative to the part, and bounded by it, not by the buffer.
    EXPECT_EQ(part.value().sub(8, 24).value().address(FrameworkKey{}), base + 24);
    EXPECT_EQ(part.value().sub(8, 25).error(), Errno::einval);
    EXPECT_EQ(whole.sub(page_size, 1).error(), Errno::einval);
    EXPECT_EQ(whole.sub(page_size - 1, 2).error(), Errno::einval);
    EXPECT_EQ(whole.sub(1, ~usize{0}).error(), Errno::einval); // offset + length wraps
    EXPECT_EQ(whole.sub(~usize{0}, 1).error(), Errno::einval);
    EXPECT_EQ(whole.sub(0, 0).error(), Errno::einval);
    EXPECT_TRUE(whole.sub(0, page_size).ok());

    // The framework writes the number; an empty range (a default one, a moved-from buffer's)
    // is never written.
    ASSERT_TRUE(ring.store_device_address(8, part.value()).ok());
    EXPECT_EQ(ring.load<u64>(8).value(), base + 16);
    EXPECT_EQ(ring.store_device_address(8, DeviceRange()).error(), Errno::einval);
    EXPECT_EQ(ring.store_device_address(4, part.value()).error(), Errno::einval); // misaligned
    EXPECT_EQ(ring.store_device_address(page_size, part.value()).error(), Errno::einval);
    DmaCoherent moved = move(ring);
    EXPECT_TRUE(ring.device_range().empty());
    EXPECT_EQ(moved.device_range().address(FrameworkKey{}), base);
}

TEST(Dma, StreamRangesStayInsideTheStream) {
    Result<DmaStream> a = DmaStream::allocate(DmaSpace::identity(), 5000, DmaDirection::to_device);
    ASSERT_TRUE(a.ok());
    DeviceRange whole = a.value().device_range();
    EXPECT_EQ(whole.size(), 2 * page_size);
    EXPECT_TRUE(whole.sub(page_size, page_size).ok());
    EXPECT_EQ(whole.sub(page_size, page_size + 1).error(), Errno::einval);
}
