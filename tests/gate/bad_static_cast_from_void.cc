// Type punning through void* with static_cast (snippet 3).
// expect-rule: no-void-pointer-cast
namespace keel::gate {
u64 pun(void* anything) { return **static_cast<u64**>(anything); }
} // namespace keel::gate
