#include <exception>
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  try {
    return tblint::RunApp(argc, argv, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "tblint: " << e.what() << "\n";
    return tblint::kExitUsage;
  }
}
