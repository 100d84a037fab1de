// From the configuration's SMPP connections to the transport's links.
#pragma once

#include <string>
#include <vector>

#include "config/daemon_config.hpp"
#include "protocol/esme.hpp"

namespace lianxin::app {

// One ConnectionConfig per link: a transceiver connection is one link named like the connection;
// a transmitter+receiver connection is two links, "<name>/tx" and "<name>/rx".
std::vector<smpp::ConnectionConfig> connection_configs(const config::DaemonConfig& config);

// The configured connection a link belongs to ("sim/rx" → "sim").
std::string connection_of_link(const std::string& link_name);

// True when the two lists would make the same links (passwords compared, never printed).
bool same_connections(const std::vector<config::SmppConnection>& a,
                      const std::vector<config::SmppConnection>& b);

}  // namespace lianxin::app
