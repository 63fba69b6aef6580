-- Prosody 0.12 for a Parley hub: serves the hub's XMPP domain, federates with partner
-- XMPP servers over server-to-server links, and hosts Parley as a XEP-0114 component.
-- Replace hub.example, xmpp.hub.example, the secret and the certificate paths; see
-- docs/platforms/xmpp.md. The tests run this file with test domains and ports.

admins = { }

-- Only what the hub's role needs: no client accounts are served on this host.
modules_enabled = {
	"disco";
	"ping";
	"dialback";
	"tls";
	"posix";
}
modules_disabled = { "offline" }

-- Server-to-server links to partner servers must use STARTTLS.
s2s_require_encryption = true
-- Partners whose certificates do not verify still authenticate with dialback
-- (XEP-0220) over the encrypted link. Set true to require valid certificates.
s2s_secure_auth = false

-- Partner servers reach this one on the standard port; no clients log in here.
s2s_ports = { 5269 }
c2s_ports = { }

-- Parley connects to this port from the hub; keep it on loopback or a private network.
component_ports = { 5347 }
component_interfaces = { "127.0.0.1" }

-- Partners' users download files sent from Webex and Slack over HTTPS from the upload
-- service below. Open this port to them, or set http_external_url behind a proxy.
http_ports = { }
https_ports = { 5281 }

-- A stanza larger than this ends a partner's stream (Prosody's default is 512 KiB).
s2s_stanza_size_limit = 512 * 1024

log = {
	info = "*console";
}

-- The server's own host; Parley pings it to confirm each delivery reached the server.
VirtualHost "hub.example"
	ssl = {
		certificate = "/etc/prosody/certs/hub.example.crt";
		key = "/etc/prosody/certs/hub.example.key";
	}

-- Parley's component: external contacts appear as JIDs on this domain.
Component "xmpp.hub.example"
	component_secret = "CHANGE-ME-to-a-long-random-secret"
	ssl = {
		certificate = "/etc/prosody/certs/xmpp.hub.example.crt";
		key = "/etc/prosody/certs/xmpp.hub.example.key";
	}

-- The upload service (XEP-0363) through which Parley hands XMPP users the files that
-- Webex and Slack users send. Only Parley's component may ask it for upload slots.
-- Set xmpp.uploadService to this domain and xmpp.maxFileBytes to at most the size limit.
Component "upload.hub.example" "http_file_share"
	http_file_share_access = { "xmpp.hub.example" }
	http_file_share_size_limit = 10 * 1024 * 1024
	-- Links stay valid for a week; files are deleted after that.
	http_file_share_expires_after = 7 * 24 * 3600
	ssl = {
		certificate = "/etc/prosody/certs/upload.hub.example.crt";
		key = "/etc/prosody/certs/upload.hub.example.key";
	}
