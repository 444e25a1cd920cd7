// User bytes read as a kernel pointer (snippet 17).
// expect-rule: no-pointers-from-user|pointer
#include <keel/user_ptr.h>
namespace keel::gate {
Result<const u64*> forge(uptr user) { return UserPtr<const u64*>(user).read(); }
} // namespace keel::gate
