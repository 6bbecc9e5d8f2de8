// Every string that reaches the page from a file (pipeline names, paths, axis values,
// lint messages, data errors) goes through here: a run directory is user data, and a
// name like `<script>` must show as text, never run. One function for text and
// attribute values alike (it escapes both quote kinds), so no call site has to choose.

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A number for display; non-finite values (a diverged run) show as a dash. */
export function fmtNumber(x: number | null | undefined, digits = 2): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}
