// Regenerates grammar/diagram.html from the parser (run after `npm run build`).
// test/grammar/diagram.test.ts fails when the committed diagram is stale.
import { writeFileSync } from "node:fs";
const { diagramHtml } = await import("../dist/grammar/diagram.js");
writeFileSync(new URL("../grammar/diagram.html", import.meta.url), diagramHtml());
console.log("wrote grammar/diagram.html");
