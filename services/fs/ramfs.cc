#include "services/fs/ramfs.h"

namespace keel::fs {

namespace {

constexpr usize max_symlinks = 40; // Linux's MAXSYMLINKS
constexpr usize max_path = 4096;   // PATH_MAX
constexpr usize max_name = 255;    // NAME_MAX

// Splits "a/b//c" into its components, one at a time.
class Components {
public:
    explicit Components(StringView path) : path_(path) {}
    Optional<StringView> next() {
        while (at_ < path_.size() && path_[at_] == '/') {
            ++at_;
        }
        if (at_ >= path_.size()) {
            return none;
        }
        usize end = path_.find('/', at_);
        end = end == StringView::npos ? path_.size() : end;
        StringView part = path_.substr(at_, end - at_);
        at_ = end;
        return part;
    }
    bool done() const {
        for (usize i = at_; i < path_.size(); ++i) {
            if (path_[i] != '/') {
                return false;
            }
        }
        return true;
    }
    StringView rest() const { return path_.substr(at_); }

private:
    StringView path_;
    usize at_ = 0;
};

} // namespace

Result<void> Inode::set_data(Bytes bytes) {
    Vector<u8> fresh;
    TRY(fresh.append(bytes));
    data_ = move(fresh);
    return {};
}

Optional<RefPtr<Inode>> Inode::child(StringView name) const {
    for (const DirEntry& e : children_) {
        if (e.name == name) {
            return e.inode;
        }
    }
    return none;
}

Result<void> Inode::add_child(StringView name, RefPtr<Inode> inode) {
    if (!is_directory()) {
        return Errno::enotdir;
    }
    if (child(name)) {
        return Errno::eexist;
    }
    TRY(children_.reserve(children_.size() + 1));
    String owned = TRY(String::from(name));
    return children_.push_back(DirEntry{move(owned), move(inode)});
}

u32 Inode::link_count() const {
    if (!is_directory()) {
        return 1;
    }
    u32 links = 2; // its entry in the parent, and its own "."
    for (const DirEntry& e : children_) {
        links += e.inode->is_directory() ? 1 : 0;
    }
    return links;
}

Result<Box<Ramfs>> Ramfs::create() {
    RefPtr<Inode> root = TRY(make_ref<Inode>(1, mode_directory | 0755));
    return make_box<Ramfs>(move(root));
}

Result<RefPtr<Inode>> Ramfs::lookup(StringView path, bool follow_last) const {
    if (path.empty()) {
        return Errno::enoent;
    }
    if (path.size() >= max_path) {
        return Errno::enametoolong;
    }
    // The directories walked so far, for "..". A symlink's target is walked by restarting on a
    // new path made of the target and what was left of the old one.
    Vector<RefPtr<Inode>> stack;
    TRY(stack.push_back(root_));
    String walking = TRY(String::from(path));
    usize links = 0;
    for (;;) {
        Components parts(walking.view());
        Optional<String> restart;
        while (Optional<StringView> part = parts.next()) {
            if (part->size() > max_name) {
                return Errno::enametoolong;
            }
            RefPtr<Inode> dir = stack.back();
            if (!dir->is_directory()) {
                return Errno::enotdir;
            }
            if (*part == StringView(".")) {
                continue;
            }
            if (*part == StringView("..")) {
                if (stack.size() > 1) {
                    stack.pop_back();
                }
                continue;
            }
            Optional<RefPtr<Inode>> next = dir->child(*part);
            if (!next) {
                return Errno::enoent;
            }
            bool last = parts.done();
            if ((*next)->is_symlink() && (!last || follow_last)) {
                if (++links > max_symlinks) {
                    return Errno::eloop;
                }
                StringView target = StringView::from_bytes((*next)->data());
                if (target.empty()) {
                    return Errno::enoent;
                }
                String joined = TRY(String::from(target));
                if (!parts.rest().empty()) {
                    TRY(joined.append("/"));
                    TRY(joined.append(parts.rest()));
                }
                if (target[0] == '/') {
                    stack.clear();
                    TRY(stack.push_back(root_));
                }
                restart = move(joined);
                break;
            }
            TRY(stack.push_back(*next));
        }
        if (!restart) {
            // A trailing slash asks for a directory.
            if (walking.view()[walking.size() - 1] == '/' && !stack.back()->is_directory()) {
                return Errno::enotdir;
            }
            return stack.back();
        }
        walking = move(*restart);
    }
}

Result<RefPtr<Inode>> Ramfs::create(StringView path, u32 mode) {
    usize end = path.size();
    while (end > 1 && path[end - 1] == '/') {
        --end;
    }
    usize slash = 0;
    bool has_slash = false;
    for (usize i = 0; i < end; ++i) {
        if (path[i] == '/') {
            slash = i;
            has_slash = true;
        }
    }
    StringView name = has_slash ? path.substr(slash + 1, end - slash - 1) : path.substr(0, end);
    StringView parent_path = has_slash ? path.substr(0, slash + 1) : StringView(".");
    if (name.empty() || name == StringView(".") || name == StringView("..")) {
        return Errno::eexist;
    }
    if (name.size() > max_name) {
        return Errno::enametoolong;
    }
    RefPtr<Inode> parent = TRY(lookup(parent_path));
    if (!parent->is_directory()) {
        return Errno::enotdir;
    }
    RefPtr<Inode> inode = TRY(make_ref<Inode>(next_ino(), mode));
    TRY(parent->add_child(name, inode));
    return inode;
}

} // namespace keel::fs
