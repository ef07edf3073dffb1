/**
 * A field's error next to the field (inside its label), tied to its input for screen readers: the input spreads
 * `invalidProps(errors, path)` (`aria-invalid`, `aria-describedby`), the message renders with
 * `<FieldError>`. `errors` maps an API field path (`condition.value`) to its message.
 */
export type FieldErrors = ReadonlyMap<string, string>;

const errorId = (path: string) => `error-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;

export function invalidProps(errors: FieldErrors, path: string) {
  return errors.has(path) ? { "aria-invalid": true as const, "aria-describedby": errorId(path) } : {};
}

export function FieldError({ errors, path }: { errors: FieldErrors; path: string }) {
  const message = errors.get(path);
  if (!message) return null;
  // Inside the field's <label>, so hidden from its accessible name (the field stays "Value", not
  // "Value expected a number"); read as the field's description through aria-describedby.
  return (
    <span class="field-error" id={errorId(path)} data-error-for={path} aria-hidden="true">{message}</span>
  );
}
