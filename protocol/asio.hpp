// The one way this project includes Boost.Asio.
//
// Boost 1.74's Asio uses std::exchange without including <utility>, which breaks under
// -std=c++20 with g++ 12 (fixed upstream in 1.79), so <utility> comes first.
#pragma once

#include <utility>

#include <boost/asio.hpp>
