#include "boot/devicetree.h"

extern "C" {
#include <libfdt.h>
}

namespace keel::boot {

namespace {
const void* fdt_of(Bytes blob) { return blob.data(); }
} // namespace

Result<DeviceTree> DeviceTree::open(Bytes blob) {
    if (blob.size() < sizeof(fdt_header) || fdt_check_header(fdt_of(blob)) != 0) {
        return Errno::einval;
    }
    usize total = fdt_totalsize(fdt_of(blob));
    if (total > blob.size()) {
        return Errno::einval;
    }
    return DeviceTree(blob.first(total));
}

Optional<DeviceTree::Node> DeviceTree::find(StringView path) const {
    int node =
        fdt_path_offset_namelen(fdt_of(blob_), path.chars().data(), static_cast<int>(path.size()));
    if (node < 0) {
        return none;
    }
    return node;
}

Optional<Bytes> DeviceTree::property(Node node, const char* name) const {
    int len = 0;
    const void* data = fdt_getprop(fdt_of(blob_), node, name, &len);
    if (data == nullptr || len < 0) {
        return none;
    }
    // SAFETY: libfdt returned a property inside the checked blob, of length len.
    return Bytes::from_raw(static_cast<const u8*>(data), static_cast<usize>(len));
}

Optional<StringView> DeviceTree::string_property(Node node, const char* name) const {
    Optional<Bytes> bytes = property(node, name);
    if (!bytes || bytes->empty() || (*bytes)[bytes->size() - 1] != 0) {
        return none;
    }
    return StringView::from_c_string(
        static_cast<const char*>(static_cast<const void*>(bytes->data())), bytes->size() - 1);
}

Optional<u64> DeviceTree::integer_property(Node node, const char* name) const {
    Optional<Bytes> bytes = property(node, name);
    if (!bytes) {
        return none;
    }
    if (bytes->size() == 4) {
        return read_be<u32>(*bytes, 0);
    }
    if (bytes->size() == 8) {
        return read_be<u64>(*bytes, 0);
    }
    return none;
}

bool DeviceTree::is_compatible(Node node, StringView compatible) const {
    // compatible is a list of NUL-terminated strings.
    Optional<Bytes> list = property(node, "compatible");
    if (!list) {
        return false;
    }
    usize start = 0;
    for (usize i = 0; i < list->size(); ++i) {
        if ((*list)[i] != 0) {
            continue;
        }
        Bytes entry = list->subspan(start, i - start);
        if (entry.size() == compatible.size()) {
            bool same = true;
            for (usize k = 0; k < entry.size() && same; ++k) {
                same = entry[k] == static_cast<u8>(compatible[k]);
            }
            if (same) {
                return true;
            }
        }
        start = i + 1;
    }
    return false;
}

bool DeviceTree::is_enabled(Node node) const {
    Optional<StringView> status = string_property(node, "status");
    return !status || *status == StringView("okay") || *status == StringView("ok");
}

StringView DeviceTree::name(Node node) const {
    int len = 0;
    const char* n = fdt_get_name(fdt_of(blob_), node, &len);
    if (n == nullptr || len < 0) {
        return {};
    }
    return StringView::from_c_string(n, static_cast<usize>(len));
}

Optional<DeviceTree::Node> DeviceTree::parent(Node node) const {
    int p = fdt_parent_offset(fdt_of(blob_), node);
    if (p < 0) {
        return none;
    }
    return p;
}

DeviceTree::Cells DeviceTree::cells_of(Node bus) const {
    int a = fdt_address_cells(fdt_of(blob_), bus);
    int s = fdt_size_cells(fdt_of(blob_), bus);
    // Malformed values (negative: libfdt's error codes) become 0 so reg decoding rejects them.
    return Cells{a < 0 ? 0u : static_cast<u32>(a), s < 0 ? 0u : static_cast<u32>(s)};
}

u64 DeviceTree::read_cells(Bytes bytes, usize offset, u32 cells) {
    u64 value = 0;
    for (u32 i = 0; i < cells; ++i) {
        value = (value << 32) | read_be<u32>(bytes, offset + 4 * i);
    }
    return value;
}

Optional<DeviceTree::Node> DeviceTree::next_node(Node node) const {
    int next = fdt_next_node(fdt_of(blob_), node, nullptr);
    if (next < 0) {
        return none;
    }
    return next;
}

Optional<DeviceTree::Node> DeviceTree::first_child(Node node) const {
    int child = fdt_first_subnode(fdt_of(blob_), node);
    if (child < 0) {
        return none;
    }
    return child;
}

Optional<DeviceTree::Node> DeviceTree::next_sibling(Node node) const {
    int next = fdt_next_subnode(fdt_of(blob_), node);
    if (next < 0) {
        return none;
    }
    return next;
}

usize DeviceTree::reservation_count() const {
    int n = fdt_num_mem_rsv(fdt_of(blob_));
    return n < 0 ? 0 : static_cast<usize>(n);
}

Optional<PhysRange> DeviceTree::reservation(usize index) const {
    u64 address = 0;
    u64 size = 0;
    if (fdt_get_mem_rsv(fdt_of(blob_), static_cast<int>(index), &address, &size) != 0) {
        return none;
    }
    return PhysRange{address, size};
}

} // namespace keel::boot
