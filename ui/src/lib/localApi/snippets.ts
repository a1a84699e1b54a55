/**
 * Copyable set-up for the tools people point at Switchboard's local API. Each names only the
 * endpoint, the client key and (where the tool needs one) a model; the key is the client key
 * made for that tool, never a provider key.
 */
export interface Snippet {
  id: string;
  title: string;
  /** Where it goes, for a person. */
  hint: string;
  text: string;
}

/** `origin` is the server's address (`http://127.0.0.1:4242`); `key` the client key (or a
 * placeholder); `model` a model name the server resolves (a route, an OpenRouter id…). */
export function snippets(origin: string, key: string, model: string): Snippet[] {
  const v1 = `${origin}/v1`;
  return [
    {
      id: "claude-code",
      title: "Claude Code",
      hint: "In your shell profile, or before running claude. It speaks Anthropic's /v1/messages.",
      text: [
        `export ANTHROPIC_BASE_URL=${origin}`,
        `export ANTHROPIC_AUTH_TOKEN=${key}`,
        `export ANTHROPIC_MODEL=${model}`,
      ].join("\n"),
    },
    {
      id: "codex",
      title: "Codex CLI",
      hint: "In ~/.codex/config.toml (Codex speaks the Responses API); the key goes in your shell.",
      text: [
        `# in your shell: export SWITCHBOARD_API_KEY=${key}`,
        `model = "${model}"`,
        `model_provider = "switchboard"`,
        ``,
        `[model_providers.switchboard]`,
        `name = "Switchboard"`,
        `base_url = "${v1}"`,
        `env_key = "SWITCHBOARD_API_KEY"`,
        `wire_api = "responses"`,
      ].join("\n"),
    },
    {
      id: "openai-env",
      title: "Cursor, Continue, aider and other OpenAI-compatible tools",
      hint: "As environment variables, or in the tool's OpenAI base URL and key fields.",
      text: [`export OPENAI_BASE_URL=${v1}`, `export OPENAI_API_KEY=${key}`].join("\n"),
    },
    {
      id: "openai-sdk",
      title: "OpenAI SDK (Python)",
      hint: "Chat Completions and Responses both work.",
      text: [
        `from openai import OpenAI`,
        ``,
        `client = OpenAI(base_url="${v1}", api_key="${key}")`,
        `reply = client.chat.completions.create(`,
        `    model="${model}", messages=[{"role": "user", "content": "Hello"}]`,
        `)`,
      ].join("\n"),
    },
    {
      id: "anthropic-sdk",
      title: "Anthropic SDK (Python)",
      hint: "The base URL has no /v1: the SDK adds it.",
      text: [
        `from anthropic import Anthropic`,
        ``,
        `client = Anthropic(base_url="${origin}", api_key="${key}")`,
        `reply = client.messages.create(`,
        `    model="${model}", max_tokens=1024,`,
        `    messages=[{"role": "user", "content": "Hello"}],`,
        `)`,
      ].join("\n"),
    },
  ];
}
