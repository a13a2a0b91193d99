#include "chatterbox/tls/tls_context_store.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ssl/context.hpp>

#include <stdexcept>

namespace chatterbox {
namespace {

namespace ssl = boost::asio::ssl;

// Mozilla's "intermediate" configuration (v5.7): forward secrecy and AEAD only for TLS 1.2;
// TLS 1.3 suites are OpenSSL's defaults, which are the same list.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* groups = "X25519:prime256v1:secp384r1";

std::string openssl_error(std::string_view what) {
  std::string text(what);
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text.append(": ").append(buffer);
  }
  return text;
}

}  // namespace

std::variant<tls_context_store::context_ptr, std::string> tls_context_store::load(
    const tls_files& files) {
  ERR_clear_error();
  try {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
      return openssl_error("cannot require TLS 1.2");
    }
    // No renegotiation (a client could make the server do handshake work at will, and a read
    // must never need to write: see ws/session_stream); no compression (CRIME).
    SSL_CTX_set_options(
        native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    // An idle connection gives its record buffers back to the allocator (about 34 KB each).
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1) {
      return openssl_error("cannot set the ciphers");
    }
    if (SSL_CTX_set1_groups_list(native, groups) != 1) return openssl_error("cannot set groups");
    SSL_CTX_set_dh_auto(native, 1);
    // Tickets resume sessions without a server-side cache (whose size would grow with clients).
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
    if (SSL_CTX_use_certificate_chain_file(native, files.certificate.c_str()) != 1) {
      return openssl_error("cannot read the certificate " + files.certificate);
    }
    if (SSL_CTX_use_PrivateKey_file(native, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
      // OpenSSL compares the key with the certificate as it loads it.
      if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
        return openssl_error("the private key " + files.private_key +
                             " does not match the certificate");
      }
      return openssl_error("cannot read the private key " + files.private_key);
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      return openssl_error("the private key does not match the certificate");
    }
    return context;
  } catch (const std::exception& e) {
    return std::string("cannot create a TLS context: ") + e.what();
  }
}

tls_context_store::tls_context_store(tls_files files) : files_(std::move(files)) {
  auto loaded = load(files_);
  if (auto* error = std::get_if<std::string>(&loaded)) throw std::runtime_error(*error);
  current_ = std::move(std::get<context_ptr>(loaded));
}

bool tls_context_store::reload() {
  // Runs on the event loop: reading two small local files is quick enough not to matter, and
  // it happens once per renewal.
  auto loaded = load(files_);
  if (auto* error = std::get_if<std::string>(&loaded)) {
    spdlog::error("tls: reload failed, keeping the current certificate: {}", *error);
    return false;
  }
  current_ = std::move(std::get<context_ptr>(loaded));
  spdlog::info("tls: reloaded the certificate from {}", files_.certificate);
  return true;
}

}  // namespace chatterbox
