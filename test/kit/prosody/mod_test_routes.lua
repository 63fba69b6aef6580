-- Test-only Prosody module: routes server-to-server connections for the domains listed in
-- `test_s2s_routes` to fixed loopback ports, so that no name lookup leaves the machine.
-- Loaded as a global module; Prosody's resolver for every other domain is left alone.

local service = require "net.resolvers.service";
local manual = require "net.resolvers.manual";

local routes = module:get_option("test_s2s_routes", {});
local original_new = service.new;

service.new = function (hostname, service_name, conn_type, extra)
	local port = routes[hostname];
	if port ~= nil then
		if service_name == "xmpp-server" then
			module:log("debug", "Routing s2s for %s to 127.0.0.1:%d", hostname, port);
			return manual.new({ { "tcp4", "127.0.0.1", port, extra } }, conn_type, extra);
		end
		-- No direct TLS (xmpps-server) endpoint in tests.
		return manual.new({}, conn_type, extra);
	end
	return original_new(hostname, service_name, conn_type, extra);
end

function module.unload()
	service.new = original_new;
end
