#include "tls_client.hpp"

namespace chatterbox::bench {
namespace {

bool tls_on = false;

}  // namespace

void use_tls(bool on) { tls_on = on; }
bool tls_enabled() { return tls_on; }

boost::asio::ssl::context& client_tls_context() {
  static boost::asio::ssl::context context = [] {
    boost::asio::ssl::context c(boost::asio::ssl::context::tls_client);
    c.set_verify_mode(boost::asio::ssl::verify_none);
    return c;
  }();
  return context;
}

}  // namespace chatterbox::bench
