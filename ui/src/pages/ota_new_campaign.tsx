/**
 * A new OTA campaign (operators): name, firmware, target by labels and/or device ids with a live
 * count of the devices it matches now (counted a moment after typing stops, up to 1,000), waves,
 * abort criteria, job timeout and health gate. Errors, the browser's or the API's 400, show at
 * their fields. Created, it opens the campaign's page, where it is started.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type FieldIssue, type SessionUser } from "../api_client.ts";
import { type Firmware, otaApi } from "../ota_api.ts";
import {
  CAMPAIGN_FIELDS,
  campaignBodyOf,
  type CampaignForm,
  countMatches,
  emptyCampaignForm,
  type MatchCount,
  matchText,
  targetOf,
} from "../ota_model.ts";
import { issuesByField } from "../rule_form.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";
import { FieldError, type FieldErrors, invalidProps } from "../components/field_error.tsx";

const COUNT_DELAY_MS = 400;

export function NewCampaignPage({ user }: { user: SessionUser }) {
  const [form, setForm] = useState<CampaignForm>(emptyCampaignForm);
  const [firmware, setFirmware] = useState<Firmware[]>();
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [count, setCount] = useState<MatchCount | "counting" | string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    otaApi.firmware().then(({ items }) => {
      setFirmware(items);
      // The newest image is the likely one.
      const last = items.at(-1);
      if (last) setForm((f) => (f.firmwareId ? f : { ...f, firmwareId: last.id }));
    }, (e: Error) => setIssues([{ path: "", message: e.message }]));
  }, []);

  // The live count: debounced, and a newer target aborts the count of an older one.
  useEffect(() => {
    const { target, issue } = targetOf(form);
    if (!target) {
      setCount(issue?.message);
      return;
    }
    const abort = new AbortController();
    setCount("counting");
    const timer = setTimeout(() => {
      countMatches(target, (q) => otaApi.devicePage(q, abort.signal)).then(
        (n) => !abort.signal.aborted && setCount(n),
        (e: Error) => !abort.signal.aborted && setCount(`Cannot count: ${e.message}`),
      );
    }, COUNT_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [form.labels, form.devices]);

  if (!canOperate(user)) return <p class="muted">Campaigns are created by operators.</p>;

  const errors: FieldErrors = issuesByField(issues, CAMPAIGN_FIELDS);
  const set = (patch: Partial<CampaignForm>) => setForm({ ...form, ...patch });
  const text = (
    path: string,
    key: keyof CampaignForm,
    label: string,
    props: Record<string, unknown> = {},
  ) => (
    <label>
      {label}
      <input
        name={key}
        value={form[key]}
        onInput={(e) => set({ [key]: e.currentTarget.value })}
        {...invalidProps(errors, path)}
        {...props}
      />
      <FieldError errors={errors} path={path} />
    </label>
  );

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const { body, issues: found } = campaignBodyOf(form);
    setIssues(found);
    if (!body) return;
    setBusy(true);
    try {
      const created = await otaApi.createCampaign(body);
      location.hash = href({ page: "campaign", id: created.id });
    } catch (e) {
      setIssues(
        e instanceof ApiError && e.details.length ? e.details : [{ path: "", message: (e as Error).message }],
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="new-campaign">
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href({ page: "ota" })}>OTA campaigns</a> / <span aria-current="page">New campaign</span>
      </nav>
      <form class="panel campaign-form" onSubmit={submit} aria-labelledby="new-campaign-title" noValidate>
        <h1 id="new-campaign-title">New campaign</h1>
        {errors.get("") && <p class="error" role="alert" data-error-for="">{errors.get("")}</p>}
        <fieldset>
          <legend>What</legend>
          {text("name", "name", "Name")}
          <label>
            Firmware
            <select
              name="firmwareId"
              value={form.firmwareId}
              onChange={(e) => set({ firmwareId: e.currentTarget.value })}
              {...invalidProps(errors, "firmwareId")}
            >
              <option value="">{firmware?.length === 0 ? "No firmware uploaded" : "Choose…"}</option>
              {firmware?.map((f) => <option key={f.id} value={f.id}>{f.name} {f.version}</option>)}
            </select>
            <FieldError errors={errors} path="firmwareId" />
          </label>
        </fieldset>
        <fieldset>
          <legend>Target</legend>
          {text("target.labels", "labels", "Labels", { placeholder: "site=north, model=th-2" })}
          {text("target.devices", "devices", "Device ids (optional)", { placeholder: "th-1, th-2" })}
          <p
            class="match-count"
            aria-live="polite"
            data-count={typeof count === "object" ? count.matched : ""}
            data-complete={typeof count === "object" ? String(count.complete) : ""}
          >
            {count === "counting" ? "Counting…" : typeof count === "object" ? matchText(count) : count}
            {!form.labels.trim() && !form.devices.trim() && " (no labels and no ids: every active device)"}
          </p>
          <FieldError errors={errors} path="target" />
        </fieldset>
        <fieldset>
          <legend>Rollout</legend>
          <label>
            Waves
            <select
              name="waveMode"
              value={form.waveMode}
              onChange={(e) => set({ waveMode: e.currentTarget.value as CampaignForm["waveMode"] })}
            >
              <option value="all">One wave (all at once)</option>
              <option value="size">Waves of N devices</option>
              <option value="percent">Waves of N percent</option>
            </select>
          </label>
          {form.waveMode !== "all" &&
            text(
              `waves.${form.waveMode}`,
              "waveValue",
              form.waveMode === "size" ? "Devices per wave" : "Percent per wave",
              {
                inputMode: "numeric",
              },
            )}
          <FieldError errors={errors} path="waves" />
          {text("jobTimeoutSeconds", "jobTimeoutSeconds", "Job timeout (seconds)", { inputMode: "numeric" })}
          {text("health.seconds", "healthSeconds", "Health gate (seconds, optional)", {
            inputMode: "numeric",
          })}
        </fieldset>
        <fieldset>
          <legend>Abort (optional)</legend>
          {text("abort.failurePercent", "failurePercent", "Failure percent", { inputMode: "decimal" })}
          {text("abort.minFinished", "minFinished", "Minimum finished jobs", { inputMode: "numeric" })}
          <FieldError errors={errors} path="abort" />
        </fieldset>
        <div class="form-actions">
          <button type="submit" disabled={busy}>Create campaign</button>
        </div>
      </form>
    </div>
  );
}
