// The transports' common sequence (drivers/virtio/transport.cc) against a fake device behind
// the per-bus primitives: feature negotiation, FEATURES_OK, generation-checked configuration
// reads and queue set-up, with devices that lack features, refuse them, never settle their
// configuration or offer impossible queues.
#include <gtest/gtest.h>

#include <vector>

#include "drivers/virtio/transport.h"

using namespace keel;
using namespace keel::drivers::virtio;

namespace {

class FakeTransport final : public Transport {
public:
    u32 device_id() const override { return 2; }
    StringView description() const override { return "fake"; }
    DmaSpace dma_space() const override { return DmaSpace::identity(); }

    Result<u8> read_status() override { return never_resets ? 1 : status; }
    Result<void> write_status(u8 s) override {
        resets += s == 0 ? 1 : 0;
        if ((s & device_status::features_ok) != 0 && refuse_features) {
            s = static_cast<u8>(s & ~device_status::features_ok);
        }
        status = s;
        return {};
    }
    Result<u64> read_device_features() override { return offered; }
    Result<void> write_driver_features(u64 f) override {
        driver_features = f;
        return {};
    }
    Result<u32> config_generation() override {
        ++generation_reads;
        // Changes between the two reads of the first unstable_reads pairs.
        if (unstable_pairs > 0 && generation_reads % 2 == 0) {
            --unstable_pairs;
            ++generation;
        }
        return generation;
    }
    usize config_size() const override { return config.size(); }
    Result<u32> config_read(usize offset, usize width) override {
        if (offset + width > config.size() || offset % width != 0) {
            return Errno::einval;
        }
        ++config_reads;
        u32 v = 0;
        for (usize i = 0; i < width; ++i) {
            v |= u32{config[offset + i]} << (8 * i);
        }
        return v;
    }
    Result<void> config_write(usize, usize, u32) override { return {}; }
    Result<u32> queue_max_size(u16 index) override { return index == 0 ? queue_max : 0; }
    Result<void> enable_queue(const Virtqueue& q) override {
        enabled_size = q.size();
        enabled_desc = q.descriptor_area();
        return {};
    }
    void notify(u16) override {}
    Result<u32> acknowledge_interrupt() override { return 0; }
    Result<void> attach_interrupt(IrqHandler&) override { return Errno::enodev; }
    void detach_interrupt() override { ++detaches; }
    u64 interrupt_count() const override { return 0; }

    int detaches = 0;
    bool never_resets = false;
    u8 status = 0xff;
    int resets = 0;
    u64 offered = feature_version_1;
    u64 driver_features = 0;
    bool refuse_features = false;
    std::vector<u8> config = std::vector<u8>(16, 0);
    u32 generation = 0;
    int generation_reads = 0;
    int unstable_pairs = 0;
    int config_reads = 0;
    u32 queue_max = 256;
    u16 enabled_size = 0;
    u64 enabled_desc = 0;
};

} // namespace

TEST(VirtioTransport, NegotiatesRequiredAndOfferedWantedFeatures) {
    FakeTransport t;
    t.offered = feature_version_1 | (1u << 9) | (1u << 5);
    Result<u64> f = t.begin_initialization((1u << 9) | (1u << 6), 0);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f.value(), feature_version_1 | (1u << 9));
    EXPECT_EQ(t.driver_features, f.value());
    EXPECT_EQ(t.resets, 1);
    EXPECT_EQ(t.status,
              device_status::acknowledge | device_status::driver | device_status::features_ok);
    ASSERT_TRUE(t.finish_initialization().ok());
    EXPECT_NE(t.status & device_status::driver_ok, 0);
}

TEST(VirtioTransport, ADeviceWithoutVersion1IsFailed) {
    FakeTransport t;
    t.offered = 1u << 9; // a legacy-only feature set
    EXPECT_EQ(t.begin_initialization(1u << 9, 0).error(), Errno::enodev);
    EXPECT_NE(t.status & device_status::failed, 0);
}

TEST(VirtioTransport, RefusedFeaturesFailTheDevice) {
    FakeTransport t;
    t.refuse_features = true;
    EXPECT_EQ(t.begin_initialization(0, 0).error(), Errno::enodev);
    EXPECT_NE(t.status & device_status::failed, 0);
}

TEST(VirtioTransport, ConfigReadsRetryUntilTheGenerationSettles) {
    FakeTransport t;
    for (usize i = 0; i < 8; ++i) {
        t.config[i] = static_cast<u8>(0x11 * (i + 1));
    }
    t.unstable_pairs = 3;
    Result<u64> v = t.config_u64(0);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), 0x8877665544332211u);
    EXPECT_EQ(t.config_reads, 2 * 4); // two 32-bit halves, four tries
    EXPECT_EQ(t.config_u16(2).value(), 0x4433);
    EXPECT_EQ(t.config_u8(7).value(), 0x88);
}

TEST(VirtioTransport, AConfigurationThatNeverSettlesIsAnError) {
    FakeTransport t;
    t.unstable_pairs = 1000;
    EXPECT_EQ(t.config_u32(0).error(), Errno::eio);
}

TEST(VirtioTransport, ConfigReadsOutsideTheSpaceAreInvalid) {
    FakeTransport t;
    EXPECT_EQ(t.config_u64(12).error(), Errno::einval);
    EXPECT_EQ(t.config_u8(16).error(), Errno::einval);
    EXPECT_EQ(t.config_u32(~usize{0} - 1).error(), Errno::einval);
    EXPECT_EQ(t.config_reads, 0);
}

TEST(VirtioTransport, QueuesGetACheckedPowerOfTwoSize) {
    FakeTransport t;
    t.status = 0;
    t.queue_max = 1000;
    Result<Box<Virtqueue>> q = t.setup_queue(0);
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(t.enabled_size, 256);
    EXPECT_EQ(t.enabled_desc, q.value()->descriptor_area());
    EXPECT_EQ(t.setup_queue(0, 16).value()->size(), 16);
    t.queue_max = 100;
    EXPECT_EQ(t.setup_queue(0).value()->size(), 64);
    EXPECT_EQ(t.status & device_status::failed, 0);
}

TEST(VirtioTransport, AMissingOrImpossibleQueueFailsTheDevice) {
    FakeTransport t;
    t.status = 0;
    EXPECT_EQ(t.setup_queue(1).error(), Errno::eio); // max 0: no such queue
    EXPECT_NE(t.status & device_status::failed, 0);
    FakeTransport huge;
    huge.status = 0;
    huge.queue_max = 65536;
    EXPECT_EQ(huge.setup_queue(0).error(), Errno::eio);
    EXPECT_NE(huge.status & device_status::failed, 0);
}

TEST(VirtioTransport, DroppingAQueueResetsTheDeviceFirst) {
    FakeTransport t;
    t.status = 0;
    Result<Box<Virtqueue>> q = t.setup_queue(0);
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(t.finish_initialization().ok());
    int resets = t.resets;
    { Box<Virtqueue> gone = q.release_value(); }
    EXPECT_EQ(t.resets, resets + 1); // before the rings were freed: the device uses them no more
    EXPECT_EQ(t.status, 0);
}

TEST(VirtioTransport, ShutdownResetsAndDetachesTheInterrupt) {
    FakeTransport t;
    t.status = device_status::driver_ok;
    t.shutdown();
    EXPECT_EQ(t.status, 0);
    EXPECT_EQ(t.resets, 1);
    EXPECT_EQ(t.detaches, 1);
}

TEST(VirtioTransport, AResetThatNeverTakesIsAnErrorNotAHang) {
    FakeTransport t;
    t.never_resets = true;
    EXPECT_EQ(t.reset().error(), Errno::eio);
    EXPECT_EQ(t.begin_initialization(0, 0).error(), Errno::eio);
}
