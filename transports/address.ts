// "host:port" and "[v6]:port" as the transports take them.

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port" or "[::1]:port"; port 0 (any free port) is allowed where binding. */
export function parseHostPort(text: string, what: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : -1;
  if (!m || port > 65535) throw new Error(`${what}: "${text}" is not host:port (IPv6 as [addr]:port)`);
  return { host: m[1] || m[2], port };
}

export function formatHostPort(host: string, port: number): string {
  return host.indexOf(":") >= 0 ? `[${host}]:${port}` : `${host}:${port}`;
}
