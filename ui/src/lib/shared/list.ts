/** "code, review ,, chat" → ["code", "review", "chat"]: a comma-separated list as typed. */
export function parseList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
