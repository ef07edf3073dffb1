/** How times and values read in the dashboard. */
import type { MetricValue } from "./api_client.ts";

/** "just now", "42 s ago", "5 min ago", "3 h ago", else the local date and time. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

export function formatValue(value: MetricValue): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

export function formatTime(ms: number | string): string {
  return new Date(ms).toLocaleString();
}

/** Pretty JSON for state documents and command results. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
