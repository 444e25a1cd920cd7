// The definition of keel::FrameworkKey (keel/framework_key.h says why it is only declared in
// the public headers). Framework code, and the host tests that play the framework's part, make
// one with `FrameworkKey{}` to call the privileged members of the public handles. Never
// included by a public header: that would hand the key to every services file.
#pragma once

#include <keel/framework_key.h>

namespace keel {

class FrameworkKey {
public:
    constexpr FrameworkKey() = default;
};

} // namespace keel
