/**
 * The secret values a configuration holds, for the logger to replace wherever they appear: a
 * driver's error may quote a connection URL or a password in ways no pattern foresees.
 */
import type { AiotConfig } from "../config/config.ts";

/** The password of a URL's userinfo (`scheme://user:password@host`), decoded; undefined if none. */
function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

export function configSecrets(config: AiotConfig): string[] {
  return [
    config.adminPassword,
    config.mqtt.admin?.password,
    config.webhooks.secretKey,
    urlPassword(config.postgresUrl),
    urlPassword(config.mongoUrl),
    urlPassword(config.mqtt.url),
  ].filter((secret): secret is string => secret !== undefined);
}
