// SHA-256 (FIPS 180-4), for the `sha256` column of images and audio.
#ifndef TBLINT_EXPORT_SHA256_H_
#define TBLINT_EXPORT_SHA256_H_

#include <string>
#include <string_view>

namespace tblint::xport {

// Lower-case hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_SHA256_H_
