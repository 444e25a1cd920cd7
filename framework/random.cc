// ChaCha20 (RFC 8439's block function) as a generator: a 256-bit key, a block counter, and after
// every request a fresh key taken from the generator's own output ("fast key erasure"), so the
// state never reveals what was handed out before.
#include <keel/boot_info.h>
#include <keel/clock.h>
#include <keel/ktl/array.h>
#include <keel/random.h>
#include <keel/spin_lock.h>

#include <arch/memory.h>

#include "boot/devicetree.h"

namespace keel::random {

namespace {

using Block = Array<u32, 16>;

constexpr u32 rotl(u32 v, u32 n) { return (v << n) | (v >> (32 - n)); }

void quarter_round(Block& s, usize a, usize b, usize c, usize d) {
    s[a] += s[b];
    s[d] = rotl(s[d] ^ s[a], 16);
    s[c] += s[d];
    s[b] = rotl(s[b] ^ s[c], 12);
    s[a] += s[b];
    s[d] = rotl(s[d] ^ s[a], 8);
    s[c] += s[d];
    s[b] = rotl(s[b] ^ s[c], 7);
}

struct Generator {
    SpinLock lock;
    Array<u32, 8> key{};
    u64 counter = 0;
    bool seeded = false;
    u64 added = 0; // bytes devices have mixed in (add_entropy)

    Block block() {
        Block input{{0x61707865, 0x3320646e, 0x79622d32, 0x6b206574}};
        for (usize i = 0; i < 8; ++i) {
            input[4 + i] = key[i];
        }
        input[12] = static_cast<u32>(counter);
        input[13] = static_cast<u32>(counter >> 32);
        ++counter;
        Block s = input;
        for (int round = 0; round < 10; ++round) {
            quarter_round(s, 0, 4, 8, 12);
            quarter_round(s, 1, 5, 9, 13);
            quarter_round(s, 2, 6, 10, 14);
            quarter_round(s, 3, 7, 11, 15);
            quarter_round(s, 0, 5, 10, 15);
            quarter_round(s, 1, 6, 11, 12);
            quarter_round(s, 2, 7, 8, 13);
            quarter_round(s, 3, 4, 9, 14);
        }
        for (usize i = 0; i < 16; ++i) {
            s[i] += input[i];
        }
        return s;
    }

    // Folds seed material into the key: the next key is one block of output keyed by the old
    // key with the material XORed in.
    void absorb(Bytes material) {
        for (usize i = 0; i < material.size(); ++i) {
            key[(i / 4) % 8] ^= u32{material[i]} << (8 * (i % 4));
            if (i % 32 == 31 || i + 1 == material.size()) {
                rekey();
            }
        }
    }

    void rekey() {
        Block next = block();
        for (usize i = 0; i < 8; ++i) {
            key[i] = next[i];
        }
    }
};

constinit Generator generator;

// The device tree's /chosen/rng-seed (QEMU's virt machines fill it from the host's entropy).
void absorb_device_tree_seed(Generator& g) {
    const Optional<PhysRange>& dtb = boot_info().device_tree;
    if (!dtb) {
        return;
    }
    // SAFETY: the device tree's pages are kept out of the allocator and lie in the linear map.
    Bytes blob = Bytes::from_raw(reinterpret_cast<const u8*>(arch::phys_to_virt(dtb->base)),
                                 static_cast<usize>(dtb->size));
    Result<boot::DeviceTree> dt = boot::DeviceTree::open(blob);
    if (dt.is_error()) {
        return;
    }
    if (Optional<boot::DeviceTree::Node> chosen = dt.value().find("/chosen")) {
        if (Optional<Bytes> seed = dt.value().property(*chosen, "rng-seed")) {
            g.absorb(*seed);
        }
        if (Optional<Bytes> seed = dt.value().property(*chosen, "kaslr-seed")) {
            g.absorb(*seed);
        }
    }
}

// Timing jitter: the low bits of the clock between short busy loops vary with caches, interrupts
// and the emulator's scheduling. Weak alone, which is why the device tree's seed comes first.
void absorb_jitter(Generator& g) {
    Array<u8, 256> samples{};
    u64 spin = 0;
    for (u8& sample : samples) {
        u64 before = clock::monotonic_ns();
        for (u64 i = 0; i < 64 + (before & 63); ++i) {
            spin = spin * 6364136223846793005ULL + i;
        }
        sample = static_cast<u8>(clock::monotonic_ns() ^ (clock::monotonic_ns() >> 8) ^ spin);
    }
    g.absorb(Bytes(samples.span()));
}

void seed_locked(Generator& g) {
    absorb_device_tree_seed(g);
    absorb_jitter(g);
    g.seeded = true;
}

} // namespace

void fill(Span<u8> out) {
    Generator& g = generator;
    SpinLockGuard guard(g.lock);
    if (!g.seeded) {
        seed_locked(g);
    }
    usize done = 0;
    while (done < out.size()) {
        Block b = g.block();
        for (usize i = 0; i < 64 && done < out.size(); ++i, ++done) {
            out[done] = static_cast<u8>(b[i / 4] >> (8 * (i % 4)));
        }
    }
    g.rekey();
}

void add_entropy(Span<const u8> bytes) {
    Generator& g = generator;
    SpinLockGuard guard(g.lock);
    if (!g.seeded) {
        seed_locked(g);
    }
    // absorb XORs each 32 bytes into the key and replaces the key by a block of output under
    // it, so the new key depends on the old key and every byte added.
    g.absorb(bytes);
    g.added += bytes.size();
}

u64 entropy_added() {
    Generator& g = generator;
    SpinLockGuard guard(g.lock);
    return g.added;
}

u64 next_u64() {
    Array<u8, 8> bytes{};
    fill(bytes.span());
    return read_le<u64>(Bytes(bytes.span()), 0);
}

} // namespace keel::random
