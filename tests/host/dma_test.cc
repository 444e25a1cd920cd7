// keel/dma.h on the host backend: whole zeroed pages, single-width accesses only where aligned
// and inside, copies bounded, the device's reach honoured, and every page given back.
#include <gtest/gtest.h>

#include <keel/dma.h>

#include "host/dma_host.h"

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
        Optional<Span<u8>> device = host::dma_memory(ring.device_address() + 2, 2);
        ASSERT_TRUE(device.has_value());
        EXPECT_EQ((*device)[1], 0xbe);
        EXPECT_FALSE(host::dma_memory(ring.device_address() + 4095, 2).has_value());
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
