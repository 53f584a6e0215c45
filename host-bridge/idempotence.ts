// Which methods the bridge may retry on another instance. The canonical schema text does not say, so
// it is configured: CellDefs (methods declared `{ idempotent: true }`) or "cell.method" names, which
// are turned into method ids by describing an instance of the cell when one appears.
import type { CellDef } from "../core/schema";
import { RESERVED_METHOD_IDS } from "../core/header";
import { parseSchema } from "../core/schema-text";

export class Idempotence {
  private ids = new Map<number, Set<number>>();
  /** Method names still to resolve, by cell name. */
  private names = new Map<string, string[]>();
  /** Schemas already described, as "cellId/schemaHash". */
  private described = new Set<string>();

  constructor(list: (CellDef<any> | string)[] = []) {
    for (const item of list) {
      if (typeof item === "string") this.addName(item);
      else
        for (const name in item.info) {
          const info = item.info[name];
          if (info.def.kind === "method" && info.def.idempotent) this.add(item.id, info.id);
        }
    }
  }

  /** Built-ins (describe, subscribe, unsubscribe) can always be repeated. */
  has(cellId: number, methodId: number): boolean {
    if (methodId < RESERVED_METHOD_IDS) return true;
    const set = this.ids.get(cellId);
    return !!set && set.has(methodId);
  }

  /** Whether an instance of this cell and schema should be described to resolve configured names. */
  wants(name: string, cellId: number, schemaHash: number): boolean {
    return this.names.has(name) && !this.described.has(cellId + "/" + schemaHash);
  }

  /** Learns the ids of the configured methods from a described schema; returns the names it did not find. */
  learn(schemaText: string): string[] {
    const def = parseSchema(schemaText);
    // Bounded whatever instances announce: forgetting only means describing a schema again.
    if (this.described.size >= 1024) this.described.clear();
    this.described.add(def.id + "/" + def.hash);
    const missing: string[] = [];
    for (const method of this.names.get(def.name) || []) {
      const info = Object.prototype.hasOwnProperty.call(def.info, method) ? def.info[method] : null;
      if (info && info.def.kind === "method") this.add(def.id, info.id);
      else missing.push(method);
    }
    return missing;
  }

  private add(cellId: number, methodId: number): void {
    let set = this.ids.get(cellId);
    if (!set) this.ids.set(cellId, (set = new Set()));
    set.add(methodId);
  }

  private addName(text: string): void {
    // Cell names may contain dots, method names may not: the method is after the last one.
    const dot = text.lastIndexOf(".");
    if (dot <= 0 || dot === text.length - 1) throw new Error(`idempotent: expected "cell.method", got ${JSON.stringify(text)}`);
    const cell = text.substring(0, dot);
    const list = this.names.get(cell) || [];
    list.push(text.substring(dot + 1));
    this.names.set(cell, list);
  }
}
