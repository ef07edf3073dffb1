/**
 * Rotating the device token: asked for twice (the old token stops working at once), then the
 * new token is shown once with a copy button — the server keeps only its hash.
 */
import { useState } from "preact/hooks";
import { api } from "../api_client.ts";

export function TokenPanel({ deviceId }: { deviceId: string }) {
  const [step, setStep] = useState<"idle" | "confirm" | "shown">("idle");
  const [token, setToken] = useState("");
  const [note, setNote] = useState<string>();

  const rotate = async () => {
    try {
      setToken((await api.rotateToken(deviceId)).token);
      setStep("shown");
      setNote(undefined);
    } catch (e) {
      setNote((e as Error).message);
      setStep("idle");
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setNote("Copied to the clipboard.");
    } catch {
      setNote("Copying is not allowed here: select the token and copy it.");
    }
  };

  return (
    <div class="token">
      {step === "idle" && <button type="button" onClick={() => setStep("confirm")}>Rotate token…</button>}
      {step === "confirm" && (
        <div role="group" aria-label="Confirm token rotation" class="confirm">
          <p>The current token stops working immediately; the device must reconnect with the new one.</p>
          <button type="button" class="danger" onClick={rotate}>Rotate now</button>
          <button type="button" class="secondary" onClick={() => setStep("idle")}>Cancel</button>
        </div>
      )}
      {step === "shown" && (
        <div class="new-token">
          <label>
            New token (shown once)
            <input readOnly value={token} name="token" onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" onClick={copy}>Copy</button>
          <button type="button" class="secondary" onClick={() => setStep("idle")}>Done</button>
        </div>
      )}
      {note && <p role="status" class="muted">{note}</p>}
    </div>
  );
}
