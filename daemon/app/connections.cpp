#include "daemon/app/connections.hpp"

#include <tuple>

namespace lianxin::app {

std::vector<smpp::ConnectionConfig> connection_configs(const config::DaemonConfig& config) {
  std::vector<smpp::ConnectionConfig> out;
  for (const config::SmppConnection* c : config.by_priority()) {
    smpp::ConnectionConfig link;
    link.host = c->host;
    link.port = std::to_string(c->port);
    link.priority = c->priority;
    link.session.name = c->name;
    link.session.system_id = c->system_id;
    link.session.password = c->password;
    link.session.system_type = c->system_type;
    link.session.window = c->window;
    link.session.tps = c->tps;
    link.session.enquire_link_interval = c->enquire_link_interval;
    link.session.response_timeout = c->response_timeout;
    link.session.reconnect_min = c->reconnect_min;
    link.session.reconnect_max = c->reconnect_max;
    switch (c->concat) {
      case config::ConcatMode::udh:
        link.concat_mode = sms::ConcatMode::udh;
        break;
      case config::ConcatMode::sar:
        link.concat_mode = sms::ConcatMode::sar;
        break;
      case config::ConcatMode::payload:
        link.concat_mode = sms::ConcatMode::payload;
        break;
    }
    link.default_source = smpp::Address{c->source_ton, c->source_npi, c->source_address};
    link.source_ton = c->source_ton;
    link.source_npi = c->source_npi;
    link.ussd_service_type = c->ussd.service_type;
    if (c->bind == config::BindMode::transceiver) {
      link.session.bind_mode = smpp::BindMode::transceiver;
      out.push_back(std::move(link));
    } else {
      smpp::ConnectionConfig rx = link;
      link.session.bind_mode = smpp::BindMode::transmitter;
      link.session.name = c->name + "/tx";
      rx.session.bind_mode = smpp::BindMode::receiver;
      rx.session.name = c->name + "/rx";
      out.push_back(std::move(link));
      out.push_back(std::move(rx));
    }
  }
  return out;
}

std::string connection_of_link(const std::string& link_name) {
  if (link_name.ends_with("/tx") || link_name.ends_with("/rx"))
    return link_name.substr(0, link_name.size() - 3);
  return link_name;
}

namespace {
auto fields(const config::SmppConnection& c) {
  return std::tie(c.name, c.host, c.port, c.system_id, c.password, c.system_type, c.bind,
                  c.priority, c.source_address, c.source_ton, c.source_npi, c.concat, c.tps,
                  c.window, c.enquire_link_interval, c.response_timeout, c.reconnect_min,
                  c.reconnect_max);
}
}  // namespace

bool same_connections(const std::vector<config::SmppConnection>& a,
                      const std::vector<config::SmppConnection>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fields(a[i]) != fields(b[i])) return false;
  return true;
}

}  // namespace lianxin::app
