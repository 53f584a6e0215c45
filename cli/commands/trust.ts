import { defineCommand, option, nonEmpty } from "../args";
import { ExitCode } from "../exit-codes";
import { checkReadable } from "../files";

export const command = defineCommand({
  name: "trust",
  summary: "trust a public key (cell keygen's .pub) to sign the bundles flashed from this folder",
  args: [{ name: "file.pub", required: true, help: "an Ed25519 public key, SPKI PEM" }],
  about: `Adds the key's id, raw key and a name to Cell.lock in the current folder (made if missing). From then
on cell flash, run in this folder, flashes only bundles signed by a trusted key (cell build --sign).`,
  options: {
    name: option({ value: "text", help: "who the key belongs to (default: the file's name)", parse: nonEmpty })
  },
  footer: `Exit codes: 0 trusted (or already trusted), 3 the file is missing or not an Ed25519 public key, or Cell.lock does not parse.`,
  async run(o, [file]) {
    checkReadable(file, "public key");
    const { trustKeyFile } = await import("../releases");
    const r = trustKeyFile(process.cwd(), file, o.name);
    console.log(r.added ? `${r.lockPath} now trusts key ${r.id} (${r.name})` : `${r.lockPath} already trusts key ${r.id} (${r.name})`);
    return ExitCode.Ok;
  }
});
