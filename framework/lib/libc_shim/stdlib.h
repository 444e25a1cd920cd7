/* libfdt_env.h includes <stdlib.h>; the parts of libfdt Keel builds need nothing from it. */
#pragma once
#include <stddef.h>
