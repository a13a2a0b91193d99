#pragma once

#include <boost/asio/ssl/context.hpp>

namespace chatterbox::bench {

// Whether this run speaks TLS (--url https://...). One setting for the whole process: every
// connection of a run goes to the same server the same way.
void use_tls(bool on);
bool tls_enabled();

// The client context every TLS connection shares (no certificate verification: benchmark
// servers use self-signed certificates).
boost::asio::ssl::context& client_tls_context();

}  // namespace chatterbox::bench
