/**
 * Saving a report or its chart to a file, as the Spend and Team screens do: what is being saved,
 * where the last file went, and what went wrong. The screens' state classes hold these fields;
 * `saveExport` runs one save against them and `ExportBar.svelte` shows them.
 */
import { AppError } from "../ipc/errors";
import type { SpendFile } from "../ipc/client";

/** The fields a screen keeps about its exports. */
export interface ExportStatus {
  /** The last file saved, or none (never saved, cancelled, or failed). */
  exported: { file: SpendFile; path: string } | null;
  exportError: string | null;
  /** The file being saved now. */
  exporting: SpendFile | null;
}

/** Runs `save` (which answers the path written, or `null` when the dialog was cancelled). */
export async function saveExport(
  status: ExportStatus,
  file: SpendFile,
  save: () => Promise<string | null>,
): Promise<void> {
  status.exporting = file;
  status.exportError = null;
  try {
    const path = await save();
    // Cancelled in the save dialog: nothing was written, nothing to say.
    status.exported = path === null ? null : { file, path };
  } catch (e) {
    status.exported = null;
    status.exportError = AppError.from(e).message;
  } finally {
    status.exporting = null;
  }
}
