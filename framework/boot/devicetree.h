// A read-only device tree over libfdt (Debian's u-boot sources). libfdt checks every offset it
// follows against the blob's header; this wrapper adds typed, bounds-checked property access so
// the rest of the framework never handles raw fdt pointers.
#pragma once

#include <keel/boot_info.h>
#include <keel/ktl/result.h>
#include <keel/ktl/string_view.h>

namespace keel::boot {

class DeviceTree {
public:
    using Node = int;
    static constexpr Node root = 0;

    // EINVAL when the header is bad or the blob claims to be larger than `blob`.
    static Result<DeviceTree> open(Bytes blob);

    Bytes blob() const { return blob_; }
    Optional<Node> find(StringView path) const;
    Optional<Bytes> property(Node node, const char* name) const;
    Optional<StringView> string_property(Node node, const char* name) const;
    // A property of one or two cells (u32 or u64), as several bindings allow.
    Optional<u64> integer_property(Node node, const char* name) const;
    bool is_compatible(Node node, StringView compatible) const;
    bool is_enabled(Node node) const; // status absent, "okay" or "ok"
    StringView name(Node node) const;
    Optional<Node> parent(Node node) const;

    // The node's reg entries, decoded with the parent's #address-cells/#size-cells.
    // Stops early and reports EINVAL when reg is malformed.
    template <typename Visitor>
    Result<void> for_each_reg(Node node, Visitor&& visit) const {
        Optional<Bytes> reg = property(node, "reg");
        if (!reg) {
            return {};
        }
        Optional<Node> up = parent(node);
        auto [address_cells, size_cells] = cells_of(up.value_or(root));
        usize entry = 4 * (address_cells + size_cells);
        if (address_cells == 0 || address_cells > 2 || size_cells > 2 || reg->size() % entry) {
            return Errno::einval;
        }
        for (usize at = 0; at < reg->size(); at += entry) {
            u64 base = read_cells(*reg, at, address_cells);
            u64 size = read_cells(*reg, at + 4 * address_cells, size_cells);
            visit(base, size);
        }
        return {};
    }

    // Calls visit(Node) for each node below the root, in document order.
    template <typename Visitor>
    void for_each_node(Visitor&& visit) const {
        for (Optional<Node> n = next_node(root); n; n = next_node(*n)) {
            visit(*n);
        }
    }

    template <typename Visitor>
    void for_each_child(Node node, Visitor&& visit) const {
        for (Optional<Node> n = first_child(node); n; n = next_sibling(*n)) {
            visit(*n);
        }
    }

    // The memory reservation block (/memreserve/ entries).
    usize reservation_count() const;
    Optional<PhysRange> reservation(usize index) const;

    struct Cells {
        u32 address;
        u32 size;
    };
    Cells cells_of(Node bus) const;
    static u64 read_cells(Bytes bytes, usize offset, u32 cells);

private:
    explicit DeviceTree(Bytes blob) : blob_(blob) {}
    Optional<Node> next_node(Node node) const;
    Optional<Node> first_child(Node node) const;
    Optional<Node> next_sibling(Node node) const;

    Bytes blob_;
};

} // namespace keel::boot
