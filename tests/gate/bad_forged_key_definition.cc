// Defining the framework's passkey type from a services file (variant of snippet 5).
// expect-rule: no-foreign-namespace
namespace keel {
class FrameworkKey {
public:
    FrameworkKey() = default;
};
} // namespace keel
