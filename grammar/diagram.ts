import { chevrotain } from "./chevrotain.js";
import { parserInstance } from "./parser.js";

/** The railroad diagram of the grammar as a standalone HTML page (grammar/diagram.html). */
export function diagramHtml(): string {
  return chevrotain.createSyntaxDiagramsCode(parserInstance.getSerializedGastProductions());
}
