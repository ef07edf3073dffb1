/**
 * Webhooks (admins only): the subscribed endpoints, a form for a new one, deletion, and each
 * endpoint's delivery log.
 */
import { useEffect, useState } from "preact/hooks";
import { api, type SessionUser, type Webhook } from "../api_client.ts";
import { formatTime } from "../format.ts";
import { WebhookForm } from "../components/webhook_form.tsx";
import { WebhookDeliveries } from "../components/webhook_deliveries.tsx";

export function WebhooksPage({ user }: { user: SessionUser }) {
  const [webhooks, setWebhooks] = useState<Webhook[]>();
  const [open, setOpen] = useState<string>();
  const [confirm, setConfirm] = useState<string>();
  const [error, setError] = useState<string>();
  const admin = user.role === "admin";

  const load = () =>
    api.webhooks().then(({ items }) => {
      setWebhooks(items);
      setError(undefined);
    }, (e: Error) => setError(e.message));
  useEffect(() => void (admin && load()), [admin]);

  if (!admin) return <p class="muted">Webhooks are managed by administrators.</p>;

  const remove = async (id: string) => {
    try {
      await api.deleteWebhook(id);
      setConfirm(undefined);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="webhooks" aria-labelledby="webhooks-title">
      <div class="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
        <p class="summary">Events sent to your endpoints, signed (Standard Webhooks) and retried.</p>
      </div>
      <WebhookForm onCreated={load} />
      {error && <p class="error" role="alert">{error}</p>}
      {!webhooks
        ? <p aria-busy="true">Loading…</p>
        : webhooks.length === 0
        ? <p class="muted">No webhooks yet.</p>
        : (
          <ul class="webhook-list" aria-label="Webhooks">
            {webhooks.map((w) => (
              <li key={w.id} class="panel" data-webhook={w.id}>
                <div class="webhook-head">
                  <strong class="url">{w.url}</strong>
                  {w.enabled === false && (
                    <span class="badge delivery-failed" title={w.disabledReason}>
                      disabled{w.disabledReason ? `: ${w.disabledReason}` : ""}
                    </span>
                  )}
                  {w.description && <span class="muted">{w.description}</span>}
                  {w.createdAt !== undefined && <small class="muted">since {formatTime(w.createdAt)}</small>}
                </div>
                <div class="chips">
                  {w.types.map((t) => <span class="chip" key={t}>{t}</span>)}
                </div>
                <div class="form-actions">
                  <button
                    type="button"
                    class="secondary"
                    aria-expanded={open === w.id}
                    onClick={() => setOpen(open === w.id ? undefined : w.id)}
                  >
                    {open === w.id ? "Hide deliveries" : "Deliveries"}
                  </button>
                  {confirm === w.id
                    ? (
                      <span role="group" aria-label="Confirm deletion" class="confirm">
                        <button type="button" class="danger" onClick={() => remove(w.id)}>
                          Delete webhook
                        </button>
                        <button type="button" class="secondary" onClick={() => setConfirm(undefined)}>
                          Cancel
                        </button>
                      </span>
                    )
                    : (
                      <button type="button" class="secondary" onClick={() => setConfirm(w.id)}>
                        Delete…
                      </button>
                    )}
                </div>
                {open === w.id && <WebhookDeliveries webhookId={w.id} />}
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}
