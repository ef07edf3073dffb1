/**
 * The shipped nginx edge (aiot.conf.template) with Debian's real nginx in front of the all-in-one
 * (embedded engines, `AIOT_TRUST_PROXY=127.0.0.1`): TLS verified against the AIOT CA, the HTTP
 * redirect, the security headers, the login limit, body limits, SSE and MQTT over WSS through the
 * proxy, the JSON access log, and that the API counts logins by the client's address (the one
 * nginx saw), neither by nginx's nor by a forged X-Forwarded-For. nginx missing fails the test.
 *
 * Test clients connect from distinct loopback addresses (127.0.0.2, .3, …: all of 127/8 is the
 * loopback interface), nginx reaches the API from 127.0.0.1.
 */
import assert from "node:assert/strict";
import { createCertificateAuthority, issueServerCertificate } from "../../certs/mod.ts";
import { roleProcess } from "../../faults/role_process.ts";
import { eventually } from "../../../core/testing/eventually.ts";
import { deviceFlowThroughEdge, type Edge } from "../_edge_flow.ts";
import { startNginx } from "./_test_nginx.ts";

const ADMIN_PASSWORD = "nginx-test-admin-password";
Deno.test({
  name: "nginx edge: TLS from the AIOT CA, redirect, headers, login limit, SSE and MQTT/WSS, JSON logs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const certs = await Deno.makeTempDir({ prefix: "aiot-nginx-certs-" });
    await createCertificateAuthority(certs);
    await issueServerCertificate(certs, { hosts: ["localhost"], ips: ["127.0.0.1"] });
    const caPem = await Deno.readTextFile(`${certs}/ca.crt`);
    const aio = await roleProcess("all-in-one", {
      AIOT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      AIOT_TRUST_PROXY: "127.0.0.1",
    });
    const clients: Deno.HttpClient[] = [];
    /** A fetch client trusting the AIOT CA that connects from `localAddress`. */
    const client = (localAddress: string) => {
      const c = Deno.createHttpClient({ caCerts: [caPem], localAddress });
      clients.push(c);
      return c;
    };
    try {
      await aio.start();
      const api = aio.base.replace("http://", "");
      const nginx = await startNginx({
        API: api,
        MQTT_WS: api,
        CERT: `${certs}/server.crt`,
        KEY: `${certs}/server.key`,
      });
      try {
        await t.step("the TLS handshake verifies against the AIOT CA (and fails without it)", async () => {
          const tls = await Deno.connectTls({
            hostname: "127.0.0.1",
            port: nginx.httpsPort,
            caCerts: [caPem],
          });
          const handshake = await tls.handshake();
          tls.close();
          assert.ok(handshake.alpnProtocol === null || typeof handshake.alpnProtocol === "string");
          const untrusted = await Deno.connectTls({ hostname: "127.0.0.1", port: nginx.httpsPort });
          await assert.rejects(untrusted.handshake(), /certificate|UnknownIssuer/i);
          untrusted.close();
          const health = await fetch(`${nginx.https}/healthz`, { client: client("127.0.0.1") });
          assert.equal(health.status, 200);
          await health.body?.cancel();
        });

        await t.step("plain HTTP answers 301 to the same URL over HTTPS", async () => {
          const response = await fetch(`${nginx.http}/api/v1/devices?label=site:lab`, { redirect: "manual" });
          assert.equal(response.status, 301);
          assert.equal(
            response.headers.get("location"),
            `https://127.0.0.1:${nginx.httpsPort}/api/v1/devices?label=site:lab`,
          );
          await response.body?.cancel();
        });

        await t.step("HSTS and the security headers, once each, on the API, the UI and errors", async () => {
          const c = client("127.0.0.1");
          // nginx adds them to its own answers too: they must be the API's, word for word.
          const direct = await fetch(`${aio.base}/healthz`);
          await direct.body?.cancel();
          const names = [
            "content-security-policy",
            "x-content-type-options",
            "x-frame-options",
            "referrer-policy",
          ];
          const expected = Object.fromEntries(names.map((name) => [name, direct.headers.get(name)]));
          assert.match(expected["content-security-policy"] ?? "", /default-src 'self'/);
          for (
            const [path, status] of [["/healthz", 200], ["/", 200], ["/api/v1/nothing-here", 404]] as const
          ) {
            const response = await fetch(`${nginx.https}${path}`, { client: c });
            await response.body?.cancel();
            assert.equal(response.status, status, path);
            const h = response.headers;
            assert.equal(h.get("strict-transport-security"), "max-age=31536000; includeSubDomains", path);
            assert.deepEqual(Object.fromEntries(names.map((name) => [name, h.get(name)])), expected, path);
            assert.equal(h.get("x-content-type-options"), "nosniff", path);
            assert.equal(h.get("x-frame-options"), "DENY", path);
            assert.equal(h.get("server"), "nginx", `${path}: no version in Server`);
          }
        });

        await t.step("a body over 1 MiB is refused (413) except on /api/v1/firmware", async () => {
          const c = client("127.0.0.1");
          const body = new Uint8Array(2 * 1024 * 1024);
          const refused = await fetch(`${nginx.https}/api/v1/devices`, { method: "POST", body, client: c });
          await refused.body?.cancel();
          assert.equal(refused.status, 413);
          assert.ok(
            refused.headers.get("strict-transport-security"),
            "nginx's own error pages carry the headers",
          );
          assert.match(refused.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
          // Past nginx: the API answers (JSON; which error is the API's business), not nginx's page.
          const firmware = await fetch(`${nginx.https}/api/v1/firmware?name=fw&version=1.0.0`, {
            method: "POST",
            body,
            headers: { "content-type": "application/octet-stream" },
            client: c,
          });
          const text = await firmware.text();
          assert.match(
            firmware.headers.get("content-type") ?? "",
            /application\/json/,
            `${firmware.status} ${text}`,
          );
          assert.ok(JSON.parse(text).error, text);
        });

        await t.step(
          "the 11th login in a minute gets nginx's 429; the API counts by the client's address",
          async () => {
            // 11 at once from one client, each forging a different X-Forwarded-For.
            const attacker = client("127.0.0.2");
            const answers = await Promise.all(
              Array.from({ length: 11 }, async (_, i) => {
                const response = await fetch(`${nginx.https}/api/v1/auth/login`, {
                  method: "POST",
                  headers: { "content-type": "application/json", "x-forwarded-for": `10.9.9.${i}` },
                  body: JSON.stringify({ username: "admin", password: `wrong-${i}` }),
                  client: attacker,
                });
                return {
                  status: response.status,
                  type: response.headers.get("content-type"),
                  body: await response.text(),
                };
              }),
            );
            const statuses = answers.map((a) => a.status).sort();
            assert.deepEqual(
              statuses,
              [...Array(10).fill(401), 429],
              JSON.stringify(answers.map((a) => a.status)),
            );
            const limited = answers.find((a) => a.status === 429)!;
            assert.match(limited.type ?? "", /text\/html/, "refused by nginx, before the API");

            // Another client is not affected.
            const other = await fetch(`${nginx.https}/api/v1/auth/login`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ username: "admin", password: "wrong" }),
              client: client("127.0.0.3"),
            });
            await other.body?.cancel();
            assert.equal(other.status, 401);

            // What the API itself counted, asked directly as nginx would (from 127.0.0.1, trusted):
            // the 10 attempts that passed nginx are on 127.0.0.2 ...
            const direct = (forwardedFor?: string) =>
              fetch(`${aio.base}/api/v1/auth/login`, {
                method: "POST",
                headers: {
                  "content-type": "application/json",
                  ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
                },
                body: JSON.stringify({ username: "admin", password: "wrong" }),
              }).then(async (r) => ({ status: r.status, body: await r.text() }));
            const counted = await direct("127.0.0.2");
            assert.equal(counted.status, 429, counted.body);
            assert.match(counted.body, /Too many login attempts/, "the API's own limiter");
            // ... not on the addresses the client forged, nor on nginx's own address.
            assert.equal((await direct("10.9.9.3")).status, 401);
            assert.equal((await direct()).status, 401);
            // A client that is not the trusted proxy cannot pick its bucket with the header.
            const forged = await fetch(`${aio.base}/api/v1/auth/login`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-forwarded-for": "127.0.0.9" },
              body: JSON.stringify({ username: "admin", password: "wrong" }),
              client: client("127.0.0.2"),
            });
            assert.equal(forged.status, 429, "counted as 127.0.0.2, its socket address");
            await forged.body?.cancel();
          },
        );

        await t.step("device → API → SSE → command through nginx, the device on MQTT over WSS", async () => {
          const edge: Edge = { https: nginx.https, client: client("127.0.0.4"), caPem };
          await deviceFlowThroughEdge(edge, {
            adminPassword: ADMIN_PASSWORD,
            deviceId: "dev-nginx",
            deviceMqttUrl: `wss://127.0.0.1:${nginx.httpsPort}/mqtt`,
          });
        });

        await t.step("every access log line is one JSON object with the client's address", async () => {
          const lines = await eventually("the WebSocket and SSE requests in the access log", async () => {
            const lines = (await Deno.readTextFile(nginx.accessLogFile)).split("\n").filter(Boolean);
            const entries = lines.map((line) => JSON.parse(line));
            return entries.some((e) => e.status === 101) &&
                entries.some((e) => e.uri.startsWith("/api/v1/stream"))
              ? entries
              : undefined;
          });
          for (const entry of lines) {
            assert.equal(typeof entry.status, "number");
            assert.equal(typeof entry.request_time, "number");
            assert.match(entry.time, /^\d{4}-\d\d-\d\dT/);
          }
          const limited = lines.filter((e) => e.status === 429);
          assert.equal(limited.length, 1);
          assert.equal(limited[0].remote_addr, "127.0.0.2");
          assert.match(limited[0].x_forwarded_for, /^10\.9\.9\.\d+$/, "the forged header, escaped as JSON");
          assert.ok(lines.some((e) => e.status === 301 && e.tls === ""), "the plain HTTP redirect");
          assert.ok(
            lines.some((e) => e.uri === "/mqtt" && e.status === 101 && e.remote_addr === "127.0.0.1"),
          );
        });
      } catch (error) {
        console.error(`nginx error log:\n${await nginx.errorLog()}\nall-in-one:\n${aio.output()}`);
        throw error;
      } finally {
        await nginx.stop();
      }
    } finally {
      for (const c of clients) c.close();
      await aio.stop();
      await Deno.remove(aio.dataDir, { recursive: true }).catch(() => {});
      await Deno.remove(aio.logFile).catch(() => {});
      await Deno.remove(certs, { recursive: true }).catch(() => {});
    }
  },
});
