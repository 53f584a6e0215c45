// The board's console arrives in arbitrary chunks; this prints it a whole line at a time, prefixed,
// so several boards' consoles (or a console and other output) can be told apart.
export function consoleLines(prefix: string, write: (line: string) => void = (l) => process.stdout.write(l)): (text: string) => void {
  let partial = "";
  return (text) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop()!;
    for (const line of lines) write(prefix + line + "\n");
  };
}
