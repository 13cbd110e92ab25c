/** FNV-1a (32-bit) of a string, as 8 hex digits: short fingerprints of definitions and plans (not cryptographic). */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
