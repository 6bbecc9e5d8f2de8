import { createSyntaxDiagramsCode } from "chevrotain";
import { parserInstance } from "./parser.js";

/** The railroad diagram of the grammar as a standalone HTML page (grammar/diagram.html). */
export function diagramHtml(): string {
  return createSyntaxDiagramsCode(parserInstance.getSerializedGastProductions());
}
