// The same with the pointer inside a struct (variant of snippet 17): checked member by member.
// expect-rule: no-pointers-from-user
#include <keel/user_ptr.h>
namespace keel::gate {
struct Request {
    u64 length;
    const u8* buffer;
};
Result<Request> forge(uptr user) { return UserPtr<Request>(user).read(); }
} // namespace keel::gate
