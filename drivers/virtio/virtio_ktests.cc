// virtio drivers on the machine's devices. The disk cases need a disk image the test script
// prepares (sector N starts with "keel sector N\n", the rest of it is N & 0xff) and run only
// with `ktest.disk` on the command line; rng and console cases run when such a device is bound.
#include <keel/cmdline.h>
#include <keel/ktest.h>
#include <keel/random.h>
#include <keel/task.h>

#include "drivers/block/block_device.h"
#include "drivers/virtio/drivers.h"

namespace keel::drivers {

namespace {

constexpr usize sector_bytes = BlockDevice::sector_size;

// The pattern sector n holds on the prepared disk.
void expected_sector(u64 n, Span<u8> out) {
    FixedString<32> text;
    format(text, "keel sector {}\n", n);
    for (usize i = 0; i < out.size(); ++i) {
        out[i] = static_cast<u8>(n & 0xff);
    }
    StringView t = text.view();
    for (usize i = 0; i < t.size() && i < out.size(); ++i) {
        out[i] = static_cast<u8>(t[i]);
    }
}

bool sectors_match_pattern(u64 first, Span<const u8> data) {
    Array<u8, sector_bytes> want{};
    for (usize s = 0; s * sector_bytes < data.size(); ++s) {
        expected_sector(first + s, want.span());
        Span<const u8> got = data.subspan(s * sector_bytes, sector_bytes);
        for (usize i = 0; i < sector_bytes; ++i) {
            if (got[i] != want[i]) {
                return false;
            }
        }
    }
    return true;
}

// The disk when the command line asks for the disk cases; none (and a skip line) otherwise.
Optional<RefPtr<BlockDevice>> test_disk() {
    if (!command_line().has("ktest.disk")) {
        ktest::skip("no disk: the command line has no ktest.disk");
        return none;
    }
    Optional<RefPtr<BlockDevice>> disk = find_block_device("vda");
    KEXPECT(disk.has_value()); // ktest.disk promises one
    return disk;
}

Result<Vector<u8>> buffer(usize bytes) {
    Vector<u8> v;
    TRY(v.resize(bytes));
    return v;
}

} // namespace

KTEST(virtio_blk, reads_the_prepared_pattern) {
    Optional<RefPtr<BlockDevice>> disk = test_disk();
    if (!disk) {
        return;
    }
    BlockDevice& d = **disk;
    KASSERT(d.sector_count() >= 2048);
    Array<u8, sector_bytes> one{};
    for (u64 s : {u64{0}, u64{1}, u64{255}, u64{256}, u64{2047}, d.sector_count() - 1}) {
        KASSERT(d.read(s, one.span()).ok());
        KEXPECT(sectors_match_pattern(s, one.span()));
    }
    // Larger than one request's bounce buffer: split into several requests.
    Result<Vector<u8>> big = buffer(80 * sector_bytes);
    KASSERT(big.ok());
    KASSERT(d.read(300, big.value().span()).ok());
    KEXPECT(sectors_match_pattern(300, big.value().span()));
}

KTEST(virtio_blk, rejects_misaligned_and_out_of_range_requests) {
    Optional<RefPtr<BlockDevice>> disk = test_disk();
    if (!disk) {
        return;
    }
    BlockDevice& d = **disk;
    Array<u8, sector_bytes> one{};
    KEXPECT_EQ(d.read(d.sector_count(), one.span()).error(), Errno::einval);
    KEXPECT_EQ(d.read(~u64{0}, one.span()).error(), Errno::einval);
    KEXPECT_EQ(d.read(0, one.span().first(100)).error(), Errno::einval);
    KEXPECT_EQ(d.read(0, Span<u8>()).error(), Errno::einval);
    KEXPECT_EQ(d.write(d.sector_count(), Span<const u8>(one.span())).error(), Errno::einval);
}

KTEST(virtio_blk, writes_read_back_and_flush_by_interrupt) {
    Optional<RefPtr<BlockDevice>> disk = test_disk();
    if (!disk) {
        return;
    }
    BlockDevice& d = **disk;
    Optional<u64> irqs_before = virtio::block_interrupt_count(d.name());
    KASSERT(irqs_before.has_value());
    constexpr u64 first = 1000;
    constexpr usize count = 8;
    Result<Vector<u8>> data = buffer(count * sector_bytes);
    Result<Vector<u8>> back = buffer(count * sector_bytes);
    KASSERT(data.ok() && back.ok());
    // Each sector starts with "keel wrote sector N\n" (the test script checks the image after
    // the run), the rest a byte pattern that differs from the prepared one.
    for (usize i = 0; i < data.value().size(); ++i) {
        data.value()[i] = static_cast<u8>((i * 7 + 3) ^ (i >> 9));
    }
    for (usize s = 0; s < count; ++s) {
        FixedString<32> text;
        format(text, "keel wrote sector {}\n", first + s);
        for (usize i = 0; i < text.view().size(); ++i) {
            data.value()[s * sector_bytes + i] = static_cast<u8>(text.view()[i]);
        }
    }
    KASSERT(d.write(first, Span<const u8>(data.value().span())).ok());
    KASSERT(d.flush().ok());
    KASSERT(d.read(first, back.value().span()).ok());
    bool same = true;
    for (usize i = 0; i < data.value().size(); ++i) {
        same = same && data.value()[i] == back.value()[i];
    }
    KEXPECT(same);
    Optional<u64> irqs_after = virtio::block_interrupt_count(d.name());
    KASSERT(irqs_after.has_value());
    KEXPECT(*irqs_after > *irqs_before); // completions came by interrupt
}

KTEST(virtio_blk, requests_in_flight_from_two_tasks) {
    Optional<RefPtr<BlockDevice>> disk = test_disk();
    if (!disk) {
        return;
    }
    RefPtr<BlockDevice> d = *disk;
    struct Worker {
        u64 first = 0;
        usize bad = 0;
        usize errors = 0;
    };
    // The tasks share their results through a reference-counted record, not the test's frame.
    struct Workers : RefCounted<Workers> {
        Array<Worker, 2> all{};
    };
    Result<RefPtr<Workers>> made = make_ref<Workers>();
    KASSERT(made.ok());
    RefPtr<Workers> workers = made.value();
    workers->all[0].first = 100;
    workers->all[1].first = 1500;
    auto body = [d, workers](usize which) {
        Worker& w = workers->all[which];
        Array<u8, 4 * sector_bytes> chunk{};
        for (u64 round = 0; round < 32; ++round) {
            u64 s = w.first + round * 4;
            if (d->read(s, chunk.span()).is_error()) {
                ++w.errors;
            } else if (!sectors_match_pattern(s, chunk.span())) {
                ++w.bad;
            }
        }
    };
    Result<TaskHandle> ta = spawn("blk-a", [body] { body(0); });
    Result<TaskHandle> tb = spawn("blk-b", [body] { body(1); });
    KASSERT(ta.ok() && tb.ok());
    ta.value().join();
    tb.value().join();
    const Worker& a = workers->all[0];
    const Worker& b = workers->all[1];
    KEXPECT_EQ(a.errors + b.errors, usize{0});
    KEXPECT_EQ(a.bad + b.bad, usize{0});
}

KTEST(virtio_rng, reads_random_bytes) {
    if (!virtio_rng_present()) {
        ktest::skip("no virtio-rng device bound");
        return;
    }
    Array<u8, 64> first{};
    Array<u8, 64> second{};
    Result<usize> a = virtio_rng_read(first.span());
    Result<usize> b = virtio_rng_read(second.span());
    KASSERT(a.ok() && b.ok());
    KEXPECT(a.value() > 0 && b.value() > 0);
    bool all_zero = true;
    bool all_equal = true;
    for (usize i = 0; i < first.size(); ++i) {
        all_zero = all_zero && first[i] == 0;
        all_equal = all_equal && first[i] == second[i];
    }
    KEXPECT(!all_zero);
    KEXPECT(!all_equal);
    // The driver fed the pool behind getrandom and AT_RANDOM when it bound.
    KEXPECT(random::entropy_added() >= 32);
}

KTEST(virtio_console, says_hello) {
    if (!virtio_console_present()) {
        ktest::skip("no virtio-console device bound");
        return;
    }
    StringView line = "keel virtio-console says hello\n";
    Vector<u8> bytes;
    for (char c : line) {
        KASSERT(bytes.push_back(static_cast<u8>(c)).ok());
    }
    KEXPECT(virtio_console_write(Span<const u8>(bytes.span())).ok());
    Array<u8, 16> in{};
    (void)virtio_console_read(in.span()); // whatever arrived; must not fail or block
}

} // namespace keel::drivers
