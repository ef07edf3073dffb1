import assert from "node:assert/strict";
import { renderTemplate, settingsFromEnv, standaloneConfig, TEMPLATE_URL } from "./render.ts";

const REQUIRED = { API: "api:8080", MQTT_WS: "mosquitto:9001", CERT: "/c/server.crt", KEY: "/c/server.key" };

Deno.test("renderTemplate() fills every AIOT_NGINX_ placeholder and keeps nginx's own variables", async () => {
  const site = renderTemplate(await Deno.readTextFile(TEMPLATE_URL), REQUIRED);
  assert.doesNotMatch(site, /\$\{AIOT_NGINX_/);
  assert.match(site, /server api:8080;/);
  assert.match(site, /server mosquitto:9001;/);
  assert.match(site, /listen 443 ssl http2;/);
  assert.match(site, /return 301 https:\/\/\$host\$request_uri;/, "no port suffix by default");
  assert.match(site, /client_max_body_size 256m;/);
  assert.match(site, /\$proxy_add_x_forwarded_for/);
});

Deno.test("renderTemplate() names every setting that has no value", () => {
  assert.throws(
    () => renderTemplate("server ${AIOT_NGINX_API}; ${AIOT_NGINX_CERT} ${AIOT_NGINX_HTTP_PORT}", {}),
    /AIOT_NGINX_API, AIOT_NGINX_CERT not set/,
  );
});

Deno.test("settingsFromEnv() takes the AIOT_NGINX_ variables; standaloneConfig() keeps files under the prefix", () => {
  assert.deepEqual(settingsFromEnv({ AIOT_NGINX_API: "a:1", AIOT_HTTP_PORT: "8080", PATH: "/bin" }), {
    API: "a:1",
  });
  const conf = standaloneConfig("/srv/edge", "server {\n}");
  assert.match(conf, /^pid \/srv\/edge\/nginx\.pid;$/m);
  assert.match(conf, /^error_log \/srv\/edge\/error\.log/m);
  assert.match(conf, /client_body_temp_path \/srv\/edge\/temp\/client_body;/);
  assert.match(conf, /http \{[\s\S]*\n {2}server \{[\s\S]*\}\n\}\n$/);
});
