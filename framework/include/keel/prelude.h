// The whole public framework API, force-included first in every services/drivers file, before
// safe_subset.h poisons the unsafe words. Framework headers may use those words internally (they
// are trusted); because every header is already included here, a services file's own #include
// of a public header is a no-op and cannot reintroduce them.
#pragma once

#include <keel/boot_info.h>
#include <keel/clock.h>
#include <keel/cmdline.h>
#include <keel/ktest.h>
#include <keel/ktl/array.h>
#include <keel/ktl/assert.h>
#include <keel/ktl/fixed_vector.h>
#include <keel/ktl/format.h>
#include <keel/ktl/optional.h>
#include <keel/ktl/result.h>
#include <keel/ktl/span.h>
#include <keel/ktl/string_view.h>
#include <keel/ktl/types.h>
#include <keel/ktl/utility.h>
#include <keel/log.h>
#include <keel/main.h>
#include <keel/panic.h>
#include <keel/power.h>
