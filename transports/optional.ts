// Optional npm packages (serialport, nats, QUIC's stack) are imported only when their transport is
// opened, and a missing one is named with the line that installs it.

export class MissingPackageError extends Error {
  readonly packageName: string;
  constructor(packageName: string, transport: string, cause: unknown) {
    super(`the ${transport} transport needs the npm package "${packageName}", which is not installed: npm install ${packageName}`);
    this.name = "MissingPackageError";
    this.packageName = packageName;
    this.cause = cause;
  }
}

function isNotFound(err: unknown, packageName: string): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e || (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "MODULE_NOT_FOUND")) return false;
  // A package that is there but misses one of its own dependencies is a different problem: say so as it is.
  return typeof e.message === "string" && e.message.indexOf(`'${packageName}'`) >= 0;
}

/** `import(packageName)`, or a MissingPackageError naming the package and how to install it. */
export async function loadOptional<M>(packageName: string, transport: string): Promise<M> {
  try {
    return (await import(/* @vite-ignore */ packageName)) as M;
  } catch (e) {
    if (isNotFound(e, packageName)) throw new MissingPackageError(packageName, transport, e);
    // Most often a native part built for another platform or Node version.
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `the ${transport} transport could not load the npm package "${packageName}" (${why}); reinstall it: npm install ${packageName}`,
      { cause: e }
    );
  }
}
