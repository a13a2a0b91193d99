#include <cstdlib>

namespace {

// Neither the tests nor the servers and commands they start (which inherit the environment)
// may read the machine's /etc/chatterbox/chatterbox.conf: a developer may have the package
// installed. An empty file stands in for it.
[[maybe_unused]] const bool no_system_config = [] {
  ::setenv("CHATTERBOX_CONFIG", "/dev/null", 1);
  return true;
}();

}  // namespace
