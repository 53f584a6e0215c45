// The schema of a cell known only by name: asked with `describe` and read back with core/schema-text,
// so the CLI calls any cell with the right method ids and codecs without its TypeScript source.
import type { Transport } from "../../core/transport";
import type { CellDef, Members } from "../../core/schema";
import { cell } from "../../core/schema";
import { connect } from "../../core/rpc/client";
import { parseSchema } from "../../core/schema-text";
import { HOST_CODECS } from "../../core/host/defaults";
import { CellError } from "../../core/errors";
import { CliError, ExitCode } from "../exit-codes";
import { UsageError } from "../args";
import { failure } from "./errors";

export async function describeCell(link: Transport, name: string, timeoutMs: number): Promise<CellDef<Members>> {
  let probe: CellDef<Members>;
  try {
    probe = cell(name, {}); // no members: enough to address the cell and ask for its schema
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^schema: /, ""));
  }
  const client = connect(probe, link, { codecs: HOST_CODECS, timeoutMs });
  let text: string;
  try {
    text = await new Promise<string>((resolve, reject) => client.describe((err, v) => (err ? reject(err) : resolve(v!))));
  } catch (e) {
    throw failure(`describe ${name}`, e);
  } finally {
    client.close();
  }
  try {
    const def = parseSchema(text);
    if (def.id !== probe.id) throw new Error(`it describes cell ${def.name}`);
    return def;
  } catch (e) {
    throw new CliError(`${name} answered describe with a schema this tool cannot read: ${(e as CellError).message}`, ExitCode.BadInput);
  }
}
