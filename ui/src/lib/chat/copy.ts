import { markdownToPlainText } from "../render/plainText";
import { copyText } from "../shared/clipboard";

/** How a whole answer is copied: its Markdown source, or the text it renders as. */
export type CopyFormat = "markdown" | "text";

/** The text that goes to the clipboard for an answer's `content` in `format`. */
export function answerText(content: string, format: CopyFormat): string {
  return format === "markdown" ? content : markdownToPlainText(content);
}

/** Copies an answer; rejects when the clipboard cannot be written. */
export function copyAnswer(content: string, format: CopyFormat): Promise<void> {
  return copyText(answerText(content, format));
}
