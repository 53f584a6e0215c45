// Static check of a device bundle: it must parse as strict ES5, and it must not name the globals or
// call the methods that the small engines lack (Duktape has no Promise, Map, Set, Symbol support worth
// relying on; Espruino and JerryScript builds differ again). Property names are matched by name, so a
// method that only an unrelated object has would be a false alarm: rename it.
import * as acorn from "acorn";

const MISSING_GLOBALS = [
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Symbol",
  "Proxy",
  "Reflect",
  "TextEncoder",
  "TextDecoder",
  "BigInt",
  "globalThis",
  "queueMicrotask",
  "structuredClone"
];
const MISSING_STATICS: Record<string, string[]> = {
  Object: ["assign", "entries", "values", "fromEntries"],
  Math: ["imul"],
  Array: ["from", "of"]
};
const MISSING_METHODS = ["includes", "find", "findIndex", "fill", "flat", "flatMap", "at"];

export interface Es5Problem {
  what: string;
  at: number;
}

type Node = { type: string; start: number; [key: string]: unknown };

/** `engineGlobals`: globals the board's engine does have beyond ES5 (Kaluma: TextEncoder, TextDecoder). */
export function es5Problems(code: string, engineGlobals: string[] = []): Es5Problem[] {
  let ast: Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: 5, sourceType: "script" }) as unknown as Node;
  } catch (e) {
    return [{ what: `not ES5: ${(e as Error).message}`, at: (e as { pos?: number }).pos ?? 0 }];
  }
  const problems: Es5Problem[] = [];
  const declared = new Set<string>();
  const visit = (node: Node, parent: Node | null) => {
    if (node.type === "VariableDeclarator" || node.type === "FunctionDeclaration") {
      const id = node.id as Node | null;
      if (id && id.type === "Identifier") declared.add(id.name as string);
    }
    if (node.type === "Identifier" && MISSING_GLOBALS.includes(node.name as string) && !engineGlobals.includes(node.name as string)) {
      const isKey =
        parent &&
        ((parent.type === "MemberExpression" && parent.property === node && !parent.computed) ||
          (parent.type === "Property" && parent.key === node));
      if (!isKey) problems.push({ what: `uses global ${node.name}`, at: node.start });
    }
    if (node.type === "MemberExpression" && !node.computed) {
      const obj = node.object as Node;
      const prop = (node.property as Node).name as string;
      if (obj.type === "Identifier" && MISSING_STATICS[obj.name as string]?.includes(prop))
        problems.push({ what: `uses ${obj.name}.${prop}`, at: node.start });
      if (parent && parent.type === "CallExpression" && parent.callee === node && MISSING_METHODS.includes(prop))
        problems.push({ what: `calls .${prop}()`, at: node.start });
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) for (const c of v) if (c && typeof c.type === "string") visit(c, node);
      if (v && typeof v === "object" && typeof (v as Node).type === "string") visit(v as Node, node);
    }
  };
  visit(ast, null);
  // A bundle's own variable with one of these names is not the missing global.
  return problems.filter((p) => !declared.has(p.what.replace(/^uses global /, "")));
}
