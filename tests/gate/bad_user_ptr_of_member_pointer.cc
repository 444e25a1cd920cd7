// User bytes read as a member pointer (variant of snippet 17): UserPtr itself refuses T that is
// a pointer, reference or member pointer, before the gate looks at records.
// expect-rule: UserPtr<T>: T read from user memory|no-pointers-from-user
#include <keel/user_ptr.h>
namespace keel::gate {
struct Node {
    u64 value;
};
Result<u64 Node::*> forge(uptr user) { return UserPtr<u64 Node::*>(user).read(); }
} // namespace keel::gate
