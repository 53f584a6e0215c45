// Kaluma's global `storage` object, reached from a module of its own: the HAL's member is also named
// `storage`, and inside the adapter module that name means the HAL's object, not Kaluma's.
export function kvGet(key: string): string | null {
  var s = storage.getItem(key);
  return typeof s === "string" ? s : null;
}
export function kvSet(key: string, value: string): void {
  storage.setItem(key, value);
}
export function kvRemove(key: string): void {
  storage.removeItem(key);
}
