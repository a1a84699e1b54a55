/**
 * The streaming benchmark's baseline: what the webview costs when the app's streams are
 * shown in the cheapest possible way. It sends through the real `chat_send` command and
 * `Channel` (so the Rust batching and IPC are the same as the app's) and appends every text
 * delta as a text node, one `<pre>` per answer; no framework, no Markdown, no styles.
 * `tests/benches/ui.rs` navigates here and calls `window.benchStream`.
 */
import { Channel } from "@tauri-apps/api/core";
import { commands, type ChatEvent } from "../src/lib/ipc/bindings";

/** What one call streamed: characters per answer, in the order the answers started. */
type Streamed = { chars: number[]; failed: number };

async function benchStream(conversationId: string, text: string): Promise<Streamed> {
  const pres = new Map<string, HTMLPreElement>();
  const chars = new Map<string, number>();
  let failed = 0;
  const channel = new Channel<ChatEvent>();
  channel.onmessage = (event) => {
    if (event.type === "started") {
      const pre = document.createElement("pre");
      document.body.append(pre);
      pres.set(event.answerId, pre);
      chars.set(event.answerId, 0);
    } else if (event.type === "textDelta") {
      pres.get(event.answerId)?.append(document.createTextNode(event.text));
      chars.set(event.answerId, (chars.get(event.answerId) ?? 0) + event.text.length);
    } else if (event.type === "failed") {
      failed += 1;
    }
  };
  await commands.chatSend({ conversationId, text, attachments: [] }, channel);
  return { chars: [...chars.values()], failed };
}

declare global {
  interface Window {
    benchStream: typeof benchStream;
  }
}
window.benchStream = benchStream;
