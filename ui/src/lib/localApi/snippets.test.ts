import { describe, expect, test } from "vitest";
import { snippets } from "./snippets";

describe("local API set-up snippets", () => {
  const all = snippets("http://127.0.0.1:4242", "sb-test", "anthropic/claude-sonnet-4.5");
  const text = (id: string) => all.find((s) => s.id === id)?.text ?? "";

  test("Claude Code gets the Anthropic base URL without /v1 and the client key", () => {
    expect(text("claude-code")).toContain("ANTHROPIC_BASE_URL=http://127.0.0.1:4242\n");
    expect(text("claude-code")).toContain("ANTHROPIC_AUTH_TOKEN=sb-test");
  });

  test("Codex gets a provider on the Responses wire API", () => {
    expect(text("codex")).toContain('base_url = "http://127.0.0.1:4242/v1"');
    expect(text("codex")).toContain('wire_api = "responses"');
    expect(text("codex")).toContain("export SWITCHBOARD_API_KEY=sb-test");
  });

  test("OpenAI-compatible tools and both SDKs get the right base URL", () => {
    expect(text("openai-env")).toContain("OPENAI_BASE_URL=http://127.0.0.1:4242/v1");
    expect(text("openai-sdk")).toContain('base_url="http://127.0.0.1:4242/v1"');
    expect(text("anthropic-sdk")).toContain('base_url="http://127.0.0.1:4242"');
  });
});
