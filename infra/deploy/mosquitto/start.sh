#!/bin/sh
# Starts Mosquitto for AIOT in the eclipse-mosquitto:2 image (compose.yaml's `mosquitto` service),
# instead of the image's entrypoint:
# - creates the dynamic-security file once, with the admin account AIOT provisions devices with
#   (AIOT_MQTT_ADMIN_USERNAME / AIOT_MQTT_ADMIN_PASSWORD; later changes of those variables do not
#   reach an existing file: use `mosquitto_ctrl … dynsec setClientPassword`);
# - copies the TLS files from the read-only certificates folder to where the `mosquitto` user can
#   read them (keys made by `deno task aiot certs` are private to their owner);
# - without certificates, runs the shipped config minus its TLS listener (the last section), as
#   the all-in-one does: MQTTS for certificate devices only once `certs init|server` made them.
set -eu

conf=/aiot/mosquitto.conf
certs=/aiot/certs
data=/mosquitto/data
dynsec=$data/dynamic-security.json

mkdir -p "$data" /mosquitto/certs
if [ ! -f "$dynsec" ]; then
  mosquitto_ctrl dynsec init "$dynsec" "${AIOT_MQTT_ADMIN_USERNAME:?}" "${AIOT_MQTT_ADMIN_PASSWORD:?}" >/dev/null
  echo "mosquitto: dynamic security initialised with the admin account \"$AIOT_MQTT_ADMIN_USERNAME\"" >&2
fi

effective=$conf
if [ -f "$certs/ca.crt" ] && [ -f "$certs/server.crt" ] && [ -f "$certs/server.key" ]; then
  cp "$certs/ca.crt" "$certs/server.crt" "$certs/server.key" /mosquitto/certs/
  chmod 600 /mosquitto/certs/server.key
else
  echo "mosquitto: no ca.crt, server.crt, server.key in the certificates folder: MQTTS is off." >&2
  echo "  Make them with: deno task aiot certs init && deno task aiot certs server --host <name>" >&2
  effective=$data/mosquitto-without-tls.conf
  sed '/^listener 8883/,$d' "$conf" >"$effective"
fi
chown -R mosquitto:mosquitto "$data" /mosquitto/certs
exec mosquitto -c "$effective"
