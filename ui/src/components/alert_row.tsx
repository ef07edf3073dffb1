/** One alert of the inbox: severity, status, device, rule, values, times and its actions. */
import type { Alert } from "../api_client.ts";
import { ago, formatValue } from "../format.ts";
import { href } from "../router.ts";

export interface AlertRowProps {
  alert: Alert;
  /** Whether Acknowledge and Clear are offered (viewers only read). */
  canAct: boolean;
  onAct(alert: Alert, action: "ack" | "clear"): void;
}

const iso = (time: string | number) => new Date(time).toISOString();

export function AlertRow({ alert, canAct, onAct }: AlertRowProps) {
  const value = (v: Alert["value"]) => (v === null || v === undefined ? "—" : formatValue(v));
  return (
    <li class={`alert-row ${alert.severity}`} data-alert={alert.id} data-status={alert.status}>
      <span class={`badge severity ${alert.severity}`}>{alert.severity}</span>
      <span class={`badge alert-${alert.status}`} data-alert-status>{alert.status}</span>
      <span class="alert-what">
        <strong>{alert.message || `Rule ${alert.ruleId}`}</strong>
        <small>
          <a href={href({ page: "device", id: alert.deviceId })} data-alert-device>{alert.deviceId}</a>
          {" · "}
          <a href={href({ page: "rule", id: alert.ruleId })} title={`Rule ${alert.ruleId}`}>
            rule{alert.ruleVersion ? ` v${alert.ruleVersion}` : ""}
          </a>
        </small>
      </span>
      <span class="alert-values">
        value <b data-alert-value>{value(alert.value)}</b>
        {alert.lastValue !== alert.value && (
          <>
            {" "}· last <b data-alert-last>{value(alert.lastValue)}</b>
          </>
        )}
      </span>
      <span class="alert-times">
        <time dateTime={iso(alert.raisedAt)}>raised {ago(iso(alert.raisedAt))}</time>
        {alert.acknowledgedAt !== undefined && <small>acknowledged {ago(iso(alert.acknowledgedAt))}</small>}
        {alert.clearedAt !== undefined && <small>cleared {ago(iso(alert.clearedAt))}</small>}
      </span>
      {canAct && alert.status !== "cleared" && (
        <span class="alert-actions">
          {alert.status === "open" && (
            <button
              type="button"
              class="secondary"
              onClick={() => onAct(alert, "ack")}
            >
              Acknowledge
            </button>
          )}
          <button type="button" class="secondary" onClick={() => onAct(alert, "clear")}>Clear</button>
        </span>
      )}
    </li>
  );
}
