// Shortest round-trip formatting of float32 and float64, written to match
// std::to_chars(first, last, value) (the plain, shortest form) byte for byte,
// several times faster. The digits come from the Schubfach algorithm
// (R. Giulietti, "The Schubfach way to render doubles", 2020); see shortest.cc.
#ifndef TBLINT_EXPORT_SHORTEST_H_
#define TBLINT_EXPORT_SHORTEST_H_

#include <cstddef>

namespace tblint::xport {

// The longest text either function writes ("-2.2250738585072014e-308" is 24).
inline constexpr size_t kShortestMaxChars = 32;

// Writes exactly what std::to_chars(p, p + kShortestMaxChars, v) writes
// (finite or not: "inf", "-nan", ...) and returns its end. `p` must have room
// for kShortestMaxChars bytes.
char* ShortestDouble(char* p, double v);
char* ShortestFloat(char* p, float v);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_SHORTEST_H_
