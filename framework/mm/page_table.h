// The page-table engine: walk, map, unmap, protect and query over a radix tree of 512-entry
// tables, written once for every MMU. What differs between MMUs is supplied by two parameters,
// each checked by a concept so a port that misses a piece fails to compile:
//
//   Format (PageTableFormat)   how one entry encodes a table pointer or a leaf: each arch's
//                        arch/pte_format.h (x86-64 4-level, riscv64 Sv39/Sv48, aarch64 4 KiB
//                        granule); pure constexpr bit work, so host tests run it too.
//   Memory (TableMemory) where tables live and how stale translations are dropped: the kernel's
//                        linear map and the arch's TLB maintenance, or simulated memory on the
//                        host.
//
// Levels count up from the leaf: level 0 maps 4 KiB pages, level 1 2 MiB, level 2 1 GiB; the root
// is level format.levels() - 1. Large leaves are used wherever a range is aligned to them and the
// format allows them at that level. The engine is not locked: its owner (KernelSpace, VmSpace)
// serializes calls.
#pragma once

#include <keel/ktl/optional.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>

#include "mm/page_attrs.h"

namespace keel::mm {

inline constexpr usize table_entries = 512;
inline constexpr u32 bits_per_level = 9;

constexpr u64 level_size(u32 level) { return page_size << (bits_per_level * level); }

template <typename F>
concept PageTableFormat =
    requires(const F& f, u64 pte, u32 level, u64 phys, PageAttrs attrs, bool user) {
        { f.levels() } -> SameAs<u32>;         // 3 or 4
        { f.max_leaf_level() } -> SameAs<u32>; // the largest level a leaf may sit at
        { f.is_valid(pte) } -> SameAs<bool>;
        { f.is_table(pte, level) } -> SameAs<bool>; // valid and points at a next-level table
        { f.address(pte, level) } -> SameAs<u64>;   // the table's or the leaf's physical address
        { f.table(phys, user) } -> SameAs<u64>;     // user: the table serves the user half
        { f.leaf(phys, attrs, level) } -> SameAs<u64>;
        { f.attrs(pte, level) } -> SameAs<PageAttrs>;
    };

template <typename M>
concept TableMemory = requires(M& m, u64 phys, uptr va) {
    { m.entries(phys) } -> SameAs<Span<u64>>;      // the table at phys, table_entries long
    { m.allocate_table() } -> SameAs<Result<u64>>; // a zeroed table, or ENOMEM
    { m.free_table(phys) } -> SameAs<void>;
    { m.flush(va) } -> SameAs<void>;   // drop cached translations (and walk caches) for va
    { m.publish(va) } -> SameAs<void>; // make a new leaf for va visible to this CPU's walker
    // Flushes may be gathered (this CPU at once, the others later); this makes every flush so far
    // reach every CPU.
    { m.complete_flushes() } -> SameAs<void>;
};

// One leaf mapping as the engine found it.
struct Mapping {
    uptr va = 0; // start of the leaf (aligned to size)
    u64 phys = 0;
    u64 size = 0;
    PageAttrs attrs;
};

template <PageTableFormat Format, TableMemory Memory>
class PageTable {
public:
    // keep_top_tables: never free the tables right below the root, even when empty. The kernel
    // half needs it: user roots share those tables by copying the root's entries.
    PageTable(Format format, Memory& memory, u64 root, bool keep_top_tables = false)
        : format_(format), memory_(&memory), root_(root), keep_top_tables_(keep_top_tables) {}

    u64 root() const { return root_; }
    const Format& format() const { return format_; }

    // Maps [va, va + size) to [phys, phys + size). Everything page aligned, size > 0, the range
    // not mapped yet (EEXIST), read permission present (EINVAL). On ENOMEM nothing stays mapped.
    Result<void> map(uptr va, u64 phys, u64 size, PageAttrs attrs) {
        TRY(check_range(va, size));
        if (!is_page_aligned(phys) || !has(attrs.perms, Perms::read)) {
            return Errno::einval;
        }
        Result<void> done = map_level(root_, top_level(), va, va + size - 1, phys, attrs);
        if (done.is_error() && done.error() == Errno::enomem) {
            // Undo whatever part was mapped: every page up to the failure is ours (an EEXIST
            // failure stops before changing anything of another mapping's).
            (void)unmap(va, size, [](const Mapping&) {});
        }
        return done;
    }

    // Unmaps every leaf in [va, va + size), splitting large leaves that straddle an edge, and
    // frees tables left empty. on_unmapped sees each removed leaf (whole or split part). Returns
    // ENOMEM only if a split needed a table; the part before it is unmapped.
    template <typename OnUnmapped>
    Result<void> unmap(uptr va, u64 size, OnUnmapped&& on_unmapped) {
        TRY(check_range(va, size));
        return unmap_level(root_, top_level(), va, va + size - 1, on_unmapped);
    }

    // Changes the permissions of every leaf in [va, va + size) (holes are skipped).
    Result<void> protect(uptr va, u64 size, Perms perms) {
        TRY(check_range(va, size));
        if (!has(perms, Perms::read)) {
            return Errno::einval;
        }
        return protect_level(root_, top_level(), va, va + size - 1, perms);
    }

    // Creates the (empty) tables right below the root for [va, va + size), so that every
    // later mapping in the range lands in a table that copies of the root entries share.
    Result<void> populate_top(uptr va, u64 size, bool user) {
        TRY(check_range(va, size));
        Span<u64> table = memory_->entries(root_);
        return for_steps(top_level(), va, va + size - 1, [&](const Step& s) -> Result<void> {
            if (!format_.is_valid(table[s.index])) {
                u64 child = TRY(memory_->allocate_table());
                store(table, s.index, format_.table(child, user));
            }
            return {};
        });
    }

    // The leaf mapping va, if any.
    Optional<Mapping> query(uptr va) const {
        u64 table = root_;
        for (u32 level = top_level();; --level) {
            u64 pte = memory_->entries(table)[index(va, level)];
            if (!format_.is_valid(pte)) {
                return none;
            }
            if (level == 0 || !format_.is_table(pte, level)) {
                uptr start = align_down(va, level_size(level));
                return Mapping{start, format_.address(pte, level), level_size(level),
                               format_.attrs(pte, level)};
            }
            table = format_.address(pte, level);
        }
    }

    Optional<u64> translate(uptr va) const {
        Optional<Mapping> m = query(va);
        if (!m) {
            return none;
        }
        return m->phys + (va - m->va);
    }

    // The first leaf overlapping [va, va + size), in address order: a cursor's step.
    Optional<Mapping> find_first(uptr va, u64 size) const {
        if (check_range(va, size).is_error()) {
            return none;
        }
        return find_level(root_, top_level(), va, va + size - 1);
    }

    // Calls fn for each leaf overlapping [va, va + size), in address order.
    template <typename Fn>
    void for_each(uptr va, u64 size, Fn&& fn) const {
        if (check_range(va, size).ok()) {
            walk_level(root_, top_level(), va, va + size - 1, fn);
        }
    }

    u32 top_level() const { return format_.levels() - 1; }

    static constexpr usize index(uptr va, u32 level) {
        return static_cast<usize>(va >> (page_shift + bits_per_level * level)) &
               (table_entries - 1);
    }

private:
    Result<void> check_range(uptr va, u64 size) const {
        uptr last = 0;
        if (size == 0 || !is_page_aligned(va) || !is_page_aligned(size) ||
            !checked_add(va, size - 1, last)) {
            return Errno::einval;
        }
        return {};
    }

    // The entries of one table that [va, last] touches, with each entry's own span.
    struct Step {
        usize index;
        uptr start; // first address of [va, last] inside this entry
        uptr last;  // last address of [va, last] inside this entry
        uptr entry_va;
        bool whole; // [start, last] covers the entry entirely
    };
    template <typename Fn>
    static Result<void> for_steps(u32 level, uptr va, uptr last, Fn&& fn) {
        u64 span = level_size(level);
        for (uptr at = va;;) {
            uptr entry_va = align_down(at, span);
            uptr entry_last = entry_va + (span - 1);
            uptr step_last = min(entry_last, last);
            Step step{index(at, level), at, step_last, entry_va,
                      at == entry_va && step_last == entry_last};
            TRY(fn(step));
            if (step_last == last) {
                return {};
            }
            at = step_last + 1;
        }
    }

    void store(Span<u64> table, usize i, u64 value) {
        // A single aligned store: the hardware walker never sees half an entry.
        __atomic_store_n(&table[i], value, __ATOMIC_RELEASE);
    }

    Result<void> map_level(u64 table_phys, u32 level, uptr va, uptr last, u64 phys,
                           PageAttrs attrs) {
        Span<u64> table = memory_->entries(table_phys);
        return for_steps(level, va, last, [&](const Step& s) -> Result<void> {
            u64 pte = table[s.index];
            u64 target = phys + (s.start - va);
            bool leaf_fits = s.whole && level <= format_.max_leaf_level() &&
                             (level == 0 || (target & (level_size(level) - 1)) == 0);
            if (leaf_fits && !format_.is_valid(pte)) {
                store(table, s.index, format_.leaf(target, attrs, level));
                // riscv requires an sfence.vma even for invalid-to-valid changes, aarch64 a
                // barrier before the walker may see it: publish does what the arch needs
                // (nothing for tables not yet live). Other CPUs never held a translation for an
                // unmapped address, so this needs no shootdown.
                memory_->publish(s.entry_va);
                return {};
            }
            if (level == 0 || (format_.is_valid(pte) && !format_.is_table(pte, level))) {
                return Errno::eexist;
            }
            if (!format_.is_valid(pte)) {
                u64 child = TRY(memory_->allocate_table());
                pte = format_.table(child, attrs.user);
                store(table, s.index, pte);
            }
            return map_level(format_.address(pte, level), level - 1, s.start, s.last, target,
                             attrs);
        });
    }

    // Replaces the large leaf at table[i] with a table of next-level leaves mapping the same.
    Result<u64> split(Span<u64> table, usize i, u32 level, uptr entry_va) {
        u64 pte = table[i];
        u64 child = TRY(memory_->allocate_table());
        Span<u64> entries = memory_->entries(child);
        PageAttrs attrs = format_.attrs(pte, level);
        u64 base = format_.address(pte, level);
        for (usize k = 0; k < table_entries; ++k) {
            entries[k] = format_.leaf(base + k * level_size(level - 1), attrs, level - 1);
        }
        // Break before make: no walker may see the old and new entries at once (aarch64 requires
        // it; the others do not mind).
        store(table, i, 0);
        memory_->flush(entry_va);
        memory_->complete_flushes();
        u64 table_pte = format_.table(child, attrs.user);
        store(table, i, table_pte);
        return table_pte;
    }

    bool is_empty(u64 table_phys) {
        for (u64 pte : memory_->entries(table_phys)) {
            if (format_.is_valid(pte)) {
                return false;
            }
        }
        return true;
    }

    template <typename OnUnmapped>
    Result<void> unmap_level(u64 table_phys, u32 level, uptr va, uptr last,
                             OnUnmapped& on_unmapped) {
        Span<u64> table = memory_->entries(table_phys);
        return for_steps(level, va, last, [&](const Step& s) -> Result<void> {
            u64 pte = table[s.index];
            if (!format_.is_valid(pte)) {
                return {};
            }
            bool is_leaf = level == 0 || !format_.is_table(pte, level);
            if (is_leaf && s.whole) {
                Mapping m{s.entry_va, format_.address(pte, level), level_size(level),
                          format_.attrs(pte, level)};
                store(table, s.index, 0);
                memory_->flush(s.entry_va);
                on_unmapped(m);
                return {};
            }
            if (is_leaf) {
                pte = TRY(split(table, s.index, level, s.entry_va));
            }
            u64 child = format_.address(pte, level);
            TRY(unmap_level(child, level - 1, s.start, s.last, on_unmapped));
            bool keep = keep_top_tables_ && level == top_level();
            if (!keep && is_empty(child)) {
                store(table, s.index, 0);
                memory_->flush(s.entry_va);
                memory_->free_table(child);
            }
            return {};
        });
    }

    Result<void> protect_level(u64 table_phys, u32 level, uptr va, uptr last, Perms perms) {
        Span<u64> table = memory_->entries(table_phys);
        return for_steps(level, va, last, [&](const Step& s) -> Result<void> {
            u64 pte = table[s.index];
            if (!format_.is_valid(pte)) {
                return {};
            }
            bool is_leaf = level == 0 || !format_.is_table(pte, level);
            if (is_leaf && s.whole) {
                PageAttrs attrs = format_.attrs(pte, level);
                attrs.perms = perms;
                store(table, s.index, format_.leaf(format_.address(pte, level), attrs, level));
                memory_->flush(s.entry_va);
                return {};
            }
            if (is_leaf) {
                pte = TRY(split(table, s.index, level, s.entry_va));
            }
            return protect_level(format_.address(pte, level), level - 1, s.start, s.last, perms);
        });
    }

    template <typename Fn>
    void walk_level(u64 table_phys, u32 level, uptr va, uptr last, Fn& fn) const {
        Span<u64> table = memory_->entries(table_phys);
        (void)for_steps(level, va, last, [&](const Step& s) -> Result<void> {
            u64 pte = table[s.index];
            if (!format_.is_valid(pte)) {
                return {};
            }
            if (level == 0 || !format_.is_table(pte, level)) {
                fn(Mapping{s.entry_va, format_.address(pte, level), level_size(level),
                           format_.attrs(pte, level)});
                return {};
            }
            walk_level(format_.address(pte, level), level - 1, s.start, s.last, fn);
            return {};
        });
    }

    Optional<Mapping> find_level(u64 table_phys, u32 level, uptr va, uptr last) const {
        Span<u64> table = memory_->entries(table_phys);
        Optional<Mapping> found;
        // for_steps stops at the first error: EEXIST here just means "found, stop".
        (void)for_steps(level, va, last, [&](const Step& s) -> Result<void> {
            u64 pte = table[s.index];
            if (!format_.is_valid(pte)) {
                return {};
            }
            if (level == 0 || !format_.is_table(pte, level)) {
                found = Mapping{s.entry_va, format_.address(pte, level), level_size(level),
                                format_.attrs(pte, level)};
            } else {
                found = find_level(format_.address(pte, level), level - 1, s.start, s.last);
            }
            return found ? Result<void>(Errno::eexist) : Result<void>();
        });
        return found;
    }

    Format format_;
    Memory* memory_;
    u64 root_;
    bool keep_top_tables_;
};

} // namespace keel::mm
