// The grammar's railroad diagram (chevrotain's syntax diagrams of the parser), written by
// scripts/gen-diagram.mjs to grammar/diagram.html.
import { chevrotain } from "./chevrotain.js";
import { parserInstance } from "./parser.js";

/** The railroad diagram of the grammar as a standalone HTML page (grammar/diagram.html). */
export function diagramHtml(): string {
  return chevrotain.createSyntaxDiagramsCode(parserInstance.getSerializedGastProductions());
}
