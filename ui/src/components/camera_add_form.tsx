/**
 * Adding a camera (operators and admins): id, name, labels, the source (an RTSP URL the platform
 * pulls, or a push ingest whose URL and secret are shown once), recording and its retention.
 * The RTSP URL's field is cleared once sent: its credentials go to the server only, which never
 * returns them.
 */
import { useState } from "preact/hooks";
import { ApiError } from "../api_client.ts";
import { cameraApi, type CreatedCamera } from "../camera_api.ts";
import { cameraBody, type CameraForm, EMPTY_CAMERA_FORM, fieldOfPath } from "../camera_form.ts";
import { href } from "../router.ts";
import { FieldError, type FieldErrors, invalidProps } from "./field_error.tsx";
import { SecretOnce } from "./secret_once.tsx";

export function CameraAddForm({ onAdded }: { onAdded(camera: CreatedCamera): void }) {
  const [form, setForm] = useState<CameraForm>(EMPTY_CAMERA_FORM);
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CreatedCamera>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<CameraForm>) => setForm({ ...form, ...patch });

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const checked = cameraBody(form);
    setErrors(checked.errors ?? new Map());
    if (!checked.body) return;
    setBusy(true);
    try {
      const camera = await cameraApi.create(checked.body);
      setCreated(camera);
      setForm(EMPTY_CAMERA_FORM);
      onAdded(camera);
    } catch (e) {
      if (e instanceof ApiError && e.details.length) {
        setErrors(new Map(e.details.map((d) => [fieldOfPath(d.path), d.message])));
      }
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="panel camera-add">
      <h2>Add a camera</h2>
      <form class="stack" onSubmit={submit} aria-label="Add a camera" noValidate>
        <div class="filters">
          <label>
            Camera id (optional)
            <input
              name="cameraId"
              value={form.id}
              placeholder="generated"
              {...invalidProps(errors, "id")}
              onInput={(e) => set({ id: e.currentTarget.value })}
            />
            <FieldError errors={errors} path="id" />
          </label>
          <label>
            Name
            <input
              name="cameraName"
              value={form.name}
              onInput={(e) => set({ name: e.currentTarget.value })}
            />
          </label>
          <label>
            Labels
            <input
              name="cameraLabels"
              value={form.labels}
              placeholder="site=north, floor=1"
              {...invalidProps(errors, "labels")}
              onInput={(e) => set({ labels: e.currentTarget.value })}
            />
            <FieldError errors={errors} path="labels" />
          </label>
        </div>
        <div class="filters">
          <label>
            Source
            <select
              name="sourceKind"
              value={form.sourceKind}
              onChange={(e) => set({ sourceKind: e.currentTarget.value as CameraForm["sourceKind"] })}
            >
              <option value="rtsp">RTSP (the platform pulls)</option>
              <option value="push">Push (the camera publishes)</option>
            </select>
          </label>
          {form.sourceKind === "rtsp" && (
            <label class="wide">
              RTSP URL
              <input
                name="rtspUrl"
                type="url"
                autocomplete="off"
                spellcheck={false}
                value={form.url}
                placeholder="rtsp://user:password@camera:554/stream"
                {...invalidProps(errors, "source.url")}
                onInput={(e) => set({ url: e.currentTarget.value })}
              />
              <FieldError errors={errors} path="source.url" />
            </label>
          )}
        </div>
        <div class="filters">
          <label class="check">
            <input
              type="checkbox"
              name="record"
              checked={form.record}
              onChange={(e) => set({ record: e.currentTarget.checked })}
            />{" "}
            Record
          </label>
          {form.record && (
            <label>
              Keep recordings (hours)
              <input
                name="retentionHours"
                inputMode="numeric"
                value={form.retentionHours}
                {...invalidProps(errors, "retentionHours")}
                onInput={(e) => set({ retentionHours: e.currentTarget.value })}
              />
              <FieldError errors={errors} path="retentionHours" />
            </label>
          )}
          <button type="submit" disabled={busy}>Add camera</button>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {created && (
        <>
          <p>
            Added{" "}
            <a href={href({ page: "camera", id: created.id })} data-added={created.id}>
              {created.name ?? created.id}
            </a>.
            {created.source.kind === "rtsp" && " Its credentials are stored encrypted and never shown again."}
          </p>
          {created.push && (
            <>
              <p>The camera publishes to this URL:</p>
              <code class="payload">{created.push.url}</code>
              <SecretOnce
                label="Push secret (shown once)"
                value={created.push.secret}
                onDone={() => setCreated(undefined)}
              />
            </>
          )}
        </>
      )}
    </div>
  );
}
