// The framework uses the public SpinLock (keel/spin_lock.h).
#pragma once

#include <keel/spin_lock.h>
