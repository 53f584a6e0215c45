import { defineCommand, option, nonEmpty } from "../args";
import { ExitCode } from "../exit-codes";

export const command = defineCommand({
  name: "keygen",
  summary: "make an Ed25519 key pair for signing releases (cell-signing.key, cell-signing.pub)",
  about: `Writes cell-signing.key (the private key, PKCS#8 PEM, mode 0600; never printed: keep it out of
version control) and cell-signing.pub (the public key, SPKI PEM: give it to whoever runs cell trust).
An existing key is never overwritten.`,
  options: {
    out: option({ value: "dir", help: "the folder to write them to (made if missing)", default: ".", parse: nonEmpty })
  },
  footer: `Exit codes: 0 written, 3 a key is already there (nothing was written).`,
  async run(o) {
    const { writeKeyPair } = await import("../releases");
    const { keyPath, pubPath, id } = writeKeyPair(o.out);
    console.log(`wrote ${keyPath} (private, mode 0600: keep it secret) and ${pubPath}; key id ${id}`);
    return ExitCode.Ok;
  }
});
