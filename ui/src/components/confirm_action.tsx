/**
 * A destructive action behind a second click: `label…` opens a confirmation with what will
 * happen, the action button and Cancel.
 */
import { useState } from "preact/hooks";

export interface ConfirmActionProps {
  /** The button's words, e.g. "Decommission"; the first button reads "Decommission…". */
  label: string;
  /** What happens, shown with the confirmation. */
  consequence: string;
  onConfirm(): Promise<void>;
}

export function ConfirmAction({ label, consequence, onConfirm }: ConfirmActionProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return <button type="button" class="secondary" onClick={() => setAsking(true)}>{label}…</button>;
  }
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span role="group" aria-label={`Confirm: ${label}`} class="confirm">
      <span class="muted">{consequence}</span>
      <button type="button" class="danger" disabled={busy} onClick={confirm}>{label}</button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}
