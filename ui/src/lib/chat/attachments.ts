import type { Attachment } from "../ipc/client";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const MAX_TEXT_BYTES = 1024 * 1024;

function read(file: File, as: "dataUrl" | "text"): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}.`));
    if (as === "dataUrl") reader.readAsDataURL(file);
    else reader.readAsText(file);
  });
}

/** Turns a picked file into an attachment, or explains why it cannot be one. */
export async function toAttachment(file: File): Promise<Attachment> {
  if (IMAGE_TYPES.includes(file.type)) {
    if (file.size > MAX_IMAGE_BYTES) throw new Error(`${file.name} is larger than 5 MB.`);
    return { kind: "image", name: file.name, data_url: await read(file, "dataUrl") };
  }
  if (file.type.startsWith("image/")) {
    throw new Error(`${file.name}: only PNG, JPEG, GIF and WebP images can be attached.`);
  }
  if (file.size > MAX_TEXT_BYTES) throw new Error(`${file.name} is larger than 1 MB.`);
  const text = await read(file, "text");
  if (text.includes("\u0000")) throw new Error(`${file.name} does not look like a text file.`);
  return { kind: "text", name: file.name, text };
}
