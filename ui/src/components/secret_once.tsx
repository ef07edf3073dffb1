/**
 * A secret the server answers once (a device token, an API token): shown in a read-only field
 * with a copy button until dismissed. The server keeps only its hash.
 */
import { useState } from "preact/hooks";

export function SecretOnce({ label, value, onDone }: { label: string; value: string; onDone(): void }) {
  const [note, setNote] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setNote("Copied to the clipboard.");
    } catch {
      setNote("Copying is not allowed here: select the text and copy it.");
    }
  };
  return (
    <div class="new-secret">
      <p class="warning">Copy it now: it is shown only once.</p>
      <div class="new-token">
        <label>
          {label}
          <input readOnly value={value} name="secret" onFocus={(e) => e.currentTarget.select()} />
        </label>
        <button type="button" onClick={copy}>Copy</button>
        <button type="button" class="secondary" onClick={onDone}>Done</button>
      </div>
      {note && <p role="status" class="muted">{note}</p>}
    </div>
  );
}
