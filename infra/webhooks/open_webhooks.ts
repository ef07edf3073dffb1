/**
 * The webhook adapters from configuration: the store in the user database (PostgreSQL when
 * `AIOT_POSTGRES_URL` is set, else `users.db` under the data dir), the secret box with the
 * platform key, the URL guard and the HTTP sender, both honouring `AIOT_WEBHOOK_ALLOW_PRIVATE`.
 */
import type { SecretBox, WebhookStore } from "../../core/webhooks/store.ts";
import type { WebhookSender } from "../../core/webhooks/sender.ts";
import type { AiotConfig } from "../config/config.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
import { checkWebhookUrl } from "./address_guard.ts";
import { createHttpWebhookSender } from "./http_sender.ts";
import { createSecretBox, loadSecretKey } from "./secret_box.ts";
import { createSqlWebhookStore } from "./sql_webhook_store.ts";

export interface Webhooks {
  store: WebhookStore;
  secrets: SecretBox;
  /** Why a URL may not be a webhook target, or undefined (see `address_guard.ts`). */
  checkUrl(url: string): Promise<string | undefined>;
  sender: WebhookSender;
  retrySeconds?: readonly number[];
  close(): Promise<void>;
}

export async function openWebhooks(config: AiotConfig): Promise<Webhooks> {
  let store: WebhookStore;
  if (config.postgresUrl) {
    const { createPostgresSqlDriver } = await import("../postgres/mod.ts");
    store = createSqlWebhookStore(await createPostgresSqlDriver({ url: config.postgresUrl, max: 2 }));
  } else {
    await Deno.mkdir(config.dataDir, { recursive: true });
    store = createSqlWebhookStore(createSqliteSqlDriver({ path: `${config.dataDir}/users.db` }));
  }
  await store.migrate();
  const key = await loadSecretKey({
    dataDir: config.dataDir,
    ...(config.webhooks.secretKey === undefined ? {} : { envKey: config.webhooks.secretKey }),
  });
  const checkUrl = (url: string) => checkWebhookUrl(url, { allowPrivate: config.webhooks.allowPrivate });
  return {
    store,
    secrets: await createSecretBox(key),
    checkUrl,
    sender: createHttpWebhookSender({ checkUrl }),
    ...(config.webhooks.retrySeconds ? { retrySeconds: config.webhooks.retrySeconds } : {}),
    close: () => store.close(),
  };
}
