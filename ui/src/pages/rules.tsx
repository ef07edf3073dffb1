/**
 * The rules: what each watches, how severe, where, and whether it is on. Rule changes made
 * elsewhere (another operator, the API) show live.
 */
import { useEffect, useState } from "preact/hooks";
import { api, type Rule, type SessionUser } from "../api_client.ts";
import { openLiveStream } from "../live_stream.ts";
import { eventTypeNames } from "../../../core/events/type_names.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";
import { coalesce } from "../coalesce.ts";
import { describeCondition, describeScope } from "../rule_form.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";

/** Every `rule.*` type of the catalog. */
const RULE_EVENT_TYPES = eventTypeNames.filter((t) => t.startsWith("rule."));

export function RulesPage({ user }: { user: SessionUser }) {
  const [rules, setRules] = useState<Rule[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const load = () =>
      api.rules().then(({ items }) => {
        setRules(items);
        setError(undefined);
      }, (e: Error) => setError(e.message));
    const close = openLiveStream({
      types: RULE_EVENT_TYPES,
      onEvents: coalesce(() => reloadAfterEvent(load)),
    });
    void load();
    return close;
  }, []);

  return (
    <section class="rules" aria-labelledby="rules-title">
      <div class="page-head">
        <h1 id="rules-title">Rules</h1>
        {canOperate(user) && <a class="button" href={href({ page: "newRule" })}>New rule</a>}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {!rules ? <p aria-busy="true">Loading…</p> : rules.length === 0
        ? (
          <p class="muted">
            No rules yet.{canOperate(user) && " Create one to be alerted when a device misbehaves."}
          </p>
        )
        : (
          <table class="table rule-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Condition</th>
                <th scope="col">Severity</th>
                <th scope="col">Scope</th>
                <th scope="col">State</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <tr key={rule.id} data-rule={rule.id}>
                  <td>
                    <a href={href({ page: "rule", id: rule.id })}>{rule.name}</a>
                  </td>
                  <td>
                    <code>{describeCondition(rule.condition)}</code>
                  </td>
                  <td>
                    <span class={`badge severity ${rule.severity}`}>{rule.severity}</span>
                  </td>
                  <td>{describeScope(rule.scope)}</td>
                  <td>{rule.enabled === false ? "disabled" : "enabled"}</td>
                  <td>v{rule.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
