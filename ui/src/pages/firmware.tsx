/**
 * Firmware: the images in the firmware store (name, version, size, SHA-256) and, for operators,
 * an upload with a progress bar (the raw file, as the API takes it) and deletion behind a
 * confirmation. A 409 (the same name and version, or an image a campaign still uses) and a 413
 * (over `AIOT_FIRMWARE_MAX_BYTES`) are said in words.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type SessionUser } from "../api_client.ts";
import { type Firmware, otaApi, uploadFirmware } from "../ota_api.ts";
import { formatBytes } from "../ota_model.ts";
import { formatTime } from "../format.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

function uploadError(e: unknown): string {
  if (!(e instanceof ApiError)) return (e as Error).message;
  if (e.status === 413) return `Too large: ${e.message}.`;
  if (e.status === 409) return `Not stored: ${e.message}.`;
  return e.message;
}

export function FirmwarePage({ user }: { user: SessionUser }) {
  const [items, setItems] = useState<Firmware[]>();
  const [error, setError] = useState<string>();
  const load = async () => {
    try {
      const all: Firmware[] = [];
      let cursor: string | undefined;
      do {
        const page = await otaApi.firmware(cursor);
        all.push(...page.items);
        cursor = page.next;
      } while (cursor);
      setItems(all);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(), []);

  const remove = async (image: Firmware) => {
    try {
      await otaApi.deleteFirmware(image.id);
      setItems((before) => before?.filter((f) => f.id !== image.id));
      setError(undefined);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 409
          ? `Cannot delete ${image.name} ${image.version}: a campaign that has not finished uses it.`
          : (e as Error).message,
      );
    }
  };

  return (
    <section class="firmware" aria-labelledby="firmware-title">
      <div class="page-head">
        <h1 id="firmware-title">Firmware</h1>
        <p class="summary">
          Images devices download through signed, expiring links.{" "}
          <a href={href({ page: "ota" })}>OTA campaigns</a>
        </p>
      </div>
      {canOperate(user) && (
        <UploadForm
          onUploaded={(image) => {
            setItems((before) => [...(before ?? []).filter((f) => f.id !== image.id), image]);
            void load();
          }}
        />
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {!items
        ? <p aria-busy="true">Loading…</p>
        : items.length === 0
        ? <p class="muted">No firmware yet.</p>
        : (
          <table class="table firmware-table">
            <caption>Firmware images, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Size</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Uploaded</th>
                {canOperate(user) && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((f) => (
                <tr key={f.id} data-firmware={f.id} data-sha256={f.sha256} data-size={f.size}>
                  <td>{f.name}</td>
                  <td>{f.version}</td>
                  <td title={`${f.size} bytes`}>{formatBytes(f.size)}</td>
                  <td>
                    <code class="digest" title={f.sha256}>{f.sha256}</code>
                  </td>
                  <td>{formatTime(f.createdAt)}</td>
                  {canOperate(user) && (
                    <td>
                      <ConfirmAction
                        label="Delete"
                        consequence={`Delete ${f.name} ${f.version} from the store?`}
                        onConfirm={() => remove(f)}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}

function UploadForm({ onUploaded }: { onUploaded(image: Firmware): void }) {
  const [file, setFile] = useState<File>();
  const [name, setName] = useState("");
  const [version, setVersion] = useState("");
  const [sent, setSent] = useState<{ sent: number; total: number }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<Firmware>();
  // A new key empties the file input after an upload (it cannot be set from code).
  const [round, setRound] = useState(0);
  const percent = sent ? (sent.total ? Math.round((sent.sent / sent.total) * 100) : 100) : 0;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!file || !name.trim() || !version.trim()) {
      setError("Choose a file and give its name and version.");
      return;
    }
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    setSent({ sent: 0, total: file.size });
    try {
      const image = await uploadFirmware(
        file,
        name.trim(),
        version.trim(),
        (s, total) => setSent({ sent: s, total }),
      );
      setDone(image);
      setFile(undefined);
      setName("");
      setVersion("");
      setRound(round + 1);
      onUploaded(image);
    } catch (e) {
      setError(uploadError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel upload-form" onSubmit={submit} aria-label="Upload firmware">
      <h2>Upload an image</h2>
      <div class="filters">
        <label>
          File
          <input
            key={round}
            type="file"
            name="file"
            disabled={busy}
            onChange={(e) => {
              const chosen = e.currentTarget.files?.[0];
              setFile(chosen);
              setSent(undefined);
              setDone(undefined);
              // A file named `thermostat-2.1.0.bin` suggests its name and version.
              const guess = chosen && /^(.+?)[-_]v?(\d[\w.+-]*?)(\.(bin|img|hex|fw|zip))?$/.exec(chosen.name);
              if (guess && !name) setName(guess[1]!);
              if (guess && !version) setVersion(guess[2]!);
            }}
          />
        </label>
        <label>
          Name
          <input name="name" value={name} disabled={busy} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Version
          <input
            name="version"
            value={version}
            disabled={busy}
            onInput={(e) => setVersion(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>{busy ? "Uploading…" : "Upload"}</button>
      </div>
      {sent && (
        <div class="progress upload-progress">
          <progress
            max={100}
            value={percent}
            aria-label="Upload progress"
            data-percent={percent}
          />
          <span aria-live="polite">
            {percent}% ({formatBytes(sent.sent)} of {formatBytes(sent.total)})
          </span>
        </div>
      )}
      {error && <p class="error" role="alert" data-upload-error>{error}</p>}
      {done && (
        <p role="status" class="ok" data-uploaded={done.id}>
          Stored {done.name} {done.version}: {formatBytes(done.size)}, SHA-256 <code>{done.sha256}</code>
        </p>
      )}
    </form>
  );
}
