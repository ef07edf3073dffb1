/**
 * The rule editor: a new rule (`#/rules/new`) or a saved one (`#/rules/{id}`, each save a new
 * version). The backtest preview below the form replays the unsaved rule over past telemetry,
 * so an operator sees what it would have done before saving it. Viewers see the rule read-only
 * (and may backtest it: a backtest changes nothing).
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, type FieldIssue, type Rule, type SessionUser } from "../api_client.ts";
import {
  emptyRuleForm,
  formFields,
  type FormResult,
  formToRule,
  issuesByField,
  type RuleForm,
  ruleToForm,
} from "../rule_form.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";
import { RuleFields } from "../components/rule_fields.tsx";
import { BacktestPanel } from "../components/backtest_panel.tsx";

export function RulePage({ id, user }: { id?: string; user: SessionUser }) {
  const [form, setForm] = useState<RuleForm | undefined>(id ? undefined : emptyRuleForm);
  const [saved, setSaved] = useState<Rule>();
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const editable = canOperate(user);

  // One editor for new and saved rules: creating one moves to its address without a reload,
  // since the rules read model may not have it yet (the answer to the POST already does).
  useEffect(() => {
    setIssues([]);
    setConfirmDelete(false);
    setLoadError(undefined);
    if (!id) {
      setSaved(undefined);
      setForm(emptyRuleForm());
      return;
    }
    if (saved?.id === id) return;
    setForm(undefined);
    api.rule(id).then((rule) => {
      setSaved(rule);
      setForm(ruleToForm(rule));
      setNote(undefined);
    }, (e: Error) => setLoadError(e.message));
  }, [id]);

  if (loadError) {
    return (
      <section class="panel">
        <p class="error" role="alert">{loadError}</p>
        <a href={href({ page: "rules" })}>Back to the rules</a>
      </section>
    );
  }
  if (!form) return <p aria-busy="true">Loading…</p>;

  const errors = issuesByField(issues, formFields(form));
  const change = (patch: Partial<RuleForm>) => {
    setForm({ ...form, ...patch });
    setNote(undefined);
  };
  /** The body of the form as it stands, or undefined with its issues shown. */
  const currentRule = (): FormResult => {
    const result = formToRule(form);
    setIssues(result.issues ?? []);
    return result;
  };
  const showApiError = (e: unknown) => {
    if (e instanceof ApiError && e.details.length) setIssues(e.details);
    else setIssues([{ path: "", message: (e as Error).message }]);
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const { body } = currentRule();
    if (!body) return;
    setBusy(true);
    try {
      const rule = saved ? await api.updateRule(saved.id, body) : await api.createRule(body);
      setSaved(rule);
      setIssues([]);
      setNote(`Saved: version ${rule.version}.`);
      if (!saved) location.hash = href({ page: "rule", id: rule.id });
    } catch (e) {
      showApiError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!saved) return;
    try {
      await api.deleteRule(saved.id);
      location.hash = href({ page: "rules" });
    } catch (e) {
      showApiError(e);
    }
  };

  return (
    <div class="rule-page">
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href({ page: "rules" })}>Rules</a> /{" "}
        <span aria-current="page">{saved ? saved.name : "New rule"}</span>
      </nav>
      <form class="panel rule-editor" onSubmit={save} aria-labelledby="rule-title" noValidate>
        <div class="page-head">
          <h1 id="rule-title">{saved ? `Rule ${saved.name}` : "New rule"}</h1>
          {saved && <span class="muted">version {saved.version}</span>}
        </div>
        {errors.get("") && <p class="error" role="alert" data-error-for="">{errors.get("")}</p>}
        <RuleFields form={form} errors={errors} disabled={!editable} onChange={change} />
        {editable && (
          <div class="form-actions">
            <button type="submit" disabled={busy}>{saved ? "Save new version" : "Create rule"}</button>
            {saved && !confirmDelete && (
              <button
                type="button"
                class="secondary"
                onClick={() => setConfirmDelete(true)}
              >
                Delete…
              </button>
            )}
            {confirmDelete && (
              <span role="group" aria-label="Confirm deletion" class="confirm">
                Deleting clears the rule's open alerts.
                <button type="button" class="danger" onClick={remove}>Delete rule</button>
                <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
                  Cancel
                </button>
              </span>
            )}
            {note && <span role="status" class="ok">{note}</span>}
          </div>
        )}
      </form>
      <BacktestPanel
        currentRule={() => currentRule().body}
        defaultDevice={form.devices.split(/[\s,]+/).find(Boolean) ?? ""}
        onRuleIssues={showApiError}
      />
    </div>
  );
}
