#!/usr/bin/env bash
# compose's `janus` service (issue 19): Debian's Janus 1.1.2 with only its HTTP API (on the internal
# network; compose never publishes 8088) and the streaming plugin, configured from the environment:
#   AIOT_JANUS_SECRET      the API secret every request carries, also the streaming plugin's admin key
#   AIOT_JANUS_PUBLIC_IP   the address browsers reach this host at (ICE nat_1_1_mapping)
#   AIOT_JANUS_ICE_PORTS   UDP ports of the WebRTC media (published by compose), default 20000-20099
# ICE-lite: AIOT's WHEP bridge needs it (see core/cameras/whep_bridge.ts); same settings as
# infra/local/engines.sh gives the local engine.
set -euo pipefail
conf=/tmp/janus-conf
lib=/usr/lib/x86_64-linux-gnu/janus
[[ -d "$lib" ]] || lib="$(dirname "$(dirname "$(find /usr/lib -name libjanus_streaming.so -print -quit)")")"
mkdir -p "$conf"
nat=""
[[ -z "${AIOT_JANUS_PUBLIC_IP:-}" ]] || nat="nat_1_1_mapping = \"$AIOT_JANUS_PUBLIC_IP\""
cat >"$conf/janus.jcfg" <<JCFG
general: {
  configs_folder = "$conf"
  plugins_folder = "$lib/plugins"
  transports_folder = "$lib/transports"
  events_folder = "$lib/events"
  loggers_folder = "$lib/loggers"
  debug_level = 4
  api_secret = "${AIOT_JANUS_SECRET:?set AIOT_JANUS_SECRET}"
  session_timeout = 60
  server_name = "aiot-janus"
}
media: { rtp_port_range = "${AIOT_JANUS_ICE_PORTS:-20000-20099}" }
nat: { ice_lite = true ice_tcp = false $nat }
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_videoroom.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
JCFG
cat >"$conf/janus.transport.http.jcfg" <<JCFG
general: { json = "plain" base_path = "/janus" http = true port = 8088 https = false }
admin: { admin_http = false }
JCFG
cat >"$conf/janus.plugin.streaming.jcfg" <<JCFG
general: { admin_key = "$AIOT_JANUS_SECRET" string_ids = true rtp_port_range = "21000-21999" events = false }
JCFG
exec janus --configs-folder="$conf" --config="$conf/janus.jcfg" --disable-colors
