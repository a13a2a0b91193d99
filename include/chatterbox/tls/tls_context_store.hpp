#pragma once

#include <memory>
#include <string>
#include <variant>

namespace boost::asio::ssl {
class context;
}

namespace chatterbox {

struct tls_files {
  std::string certificate;  // PEM: the certificate, then its chain (certbot's fullchain.pem)
  std::string private_key;  // PEM (certbot's privkey.pem)
};

// The server's current TLS context, replaceable while the server runs (SIGHUP after a
// certificate renewal). Connections hold a shared_ptr to the context they began with, so a
// reload never touches a connection already open; only new connections see the new one.
class tls_context_store {
 public:
  using context_ptr = std::shared_ptr<boost::asio::ssl::context>;

  // Throws std::runtime_error when the files cannot be used: the server must not start
  // without the certificate it was told to serve.
  explicit tls_context_store(tls_files files);

  const context_ptr& current() const { return current_; }

  // Reads the files again. A certificate or key that cannot be used is logged and the old
  // context stays; returns whether the context was replaced.
  bool reload();

  // A server context for these files (TLS 1.2 and 1.3, Mozilla's "intermediate" ciphers), or
  // why not.
  static std::variant<context_ptr, std::string> load(const tls_files& files);

 private:
  tls_files files_;
  context_ptr current_;
};

}  // namespace chatterbox
